"""API for the pupil records (``PupilViewSet``)."""

from api.pupils.views import register

__all__ = ["register"]
