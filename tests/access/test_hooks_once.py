"""Every app registers its hook providers once, however often its ready() runs (tests run it
again; a provider registered twice would draw a nav link or a panel twice)."""

from django.apps import apps

from core import hooks


def test_running_every_apps_ready_again_registers_nothing_new():
    before = {name: hooks.providers(name) for name in hooks.HOOKS}
    for config in apps.get_app_configs():
        config.ready()
        config.ready()
    after = {name: hooks.providers(name) for name in hooks.HOOKS}
    grown = {name: len(after[name]) - len(before[name]) for name in hooks.HOOKS}
    assert not any(grown.values()), grown
