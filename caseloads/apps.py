from django.apps import AppConfig


class CaseloadsConfig(AppConfig):
    name = "caseloads"
