from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.models import ApiToken
        from core import hooks
        from core.nav import ACCOUNT, NavItem

        # A person's API tokens are on their own page only (core.page_cache).
        hooks.register("page_cache.personal", ApiToken)

        # The language switcher is open to visitors (it only sets a cookie); an account without a
        # role may still name itself and choose its language.
        hooks.register("access.open_views", ("accounts:language", "accounts:account"))
        hooks.register(
            "nav.items", NavItem(_("Your account"), "accounts:account", order=5, place=ACCOUNT)
        )
