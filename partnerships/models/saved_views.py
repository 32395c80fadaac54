"""Saved views of the partnership list: a name for a set of filters and a sort, kept for
oneself or shared with one's city's officers, and each person's default view."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models.partners import Partner


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(max_length=80, verbose_name=_("name"))
    # The list's own query string (known filters only, sorted keys, no page): applying a view
    # is asking the list for it, so a view never shows more than its reader may see.
    query = models.CharField(max_length=1000, blank=True, verbose_name=_("filters"))
    shared_with = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The city whose officers may use this view too; empty: only its owner."),
        verbose_name=_("shared with"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="savedview_unique_name",
                violation_error_message=_("You already have a view of that name."),
            )
        ]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class DefaultView(models.Model):
    """The view a person's partnership list opens with (their own or one shared with them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="default_list_view",
        verbose_name=_("user"),
    )
    view = models.ForeignKey(
        SavedView, on_delete=models.CASCADE, related_name="+", verbose_name=_("saved view")
    )

    class Meta:
        verbose_name = _("default view")
        verbose_name_plural = _("default views")

    def __str__(self) -> str:
        return f"{self.user}: {self.view}"
