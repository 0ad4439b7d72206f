from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.forms import declared_field
from parents.models import InfoPage, Topic


class SourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: *emphasis*, lists with -, links as [text](url)."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    published = forms.BooleanField(label=_("Published"), required=False)

    @classmethod
    def for_page(cls, page: InfoPage, data: Mapping[str, Any] | None = None) -> "SourceForm":
        page.set_current_language("nl")
        initial = {
            "title": page.safe_translation_getter("title"),
            "body": page.safe_translation_getter("body"),
            "topic": page.topic,
            "order": page.order,
            "published": page.published,
        }
        return cls(data, initial=initial)


class NewPageForm(SourceForm):
    organisation = forms.ModelChoiceField(
        label=_("For"), queryset=Organisation.objects.none(), empty_label=None
    )  # narrowed to the editor's organisations in __init__

    field_order = ["organisation", "title", "body", "topic", "order", "published"]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared_field(self, "organisation", forms.ModelChoiceField).queryset = organisations


class TranslationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
