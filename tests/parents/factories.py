"""Factories for the parents' side."""

from accounts.models import Organisation, User
from parents import services
from parents.models import InfoPage, Topic
from tests.factories import make_user


def make_page(
    organisation: Organisation,
    *,
    title: str = "Het schoolsysteem",
    body: str = "Kinderen gaan vanaf **4 jaar** naar school.",
    translations: dict[str, tuple[str, str]] | None = None,
    published: bool = True,
    editor: User | None = None,
    topic: str = Topic.SCHOOL_SYSTEM,
) -> InfoPage:
    editor = editor or make_user()
    page = services.create_page(organisation, editor, title=title, body=body, topic=topic)
    for language, (t_title, t_body) in (translations or {}).items():
        services.save_translation(page, editor, language, title=t_title, body=t_body)
    if published:
        page = services.update_source(
            page, editor, title=title, body=body, topic=topic, order=0, published=True
        )
    return InfoPage.objects.get(pk=page.pk)
