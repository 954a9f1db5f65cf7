"""Settings as data: loading, precedence, errors, and every setting documented."""

from __future__ import annotations

import dataclasses
import re
import tomllib

import pytest

from bot.config import SETTINGS, ConfigError, Settings, describe, load_settings
from tests.bot_harness import ROOT

EXAMPLE = ROOT / "deploy" / "nianbao.example.toml"


def test_defaults_apply_with_no_file_and_no_environment():
    settings = load_settings(None, environ={})
    assert settings == Settings()
    assert settings.api_base_url == "https://api.telegram.org"
    assert settings.admins == ()


def test_environment_wins_over_the_file(tmp_path):
    config = tmp_path / "bot.toml"
    config.write_text('[telegram]\nadmins = [1, 2]\n[limits]\nquestions_per_minute = 5\n[index]\ndb = "a.db"\n')
    settings = load_settings(config, environ={"NIANBAO_DB": "b.db", "NIANBAO_ADMINS": "7, 8"})
    assert (settings.db, settings.admins, settings.questions_per_minute) == ("b.db", (7, 8), 5)
    assert load_settings(None, environ={"NIANBAO_CONFIG": str(config)}).admins == (1, 2)


def test_bad_values_and_unknown_keys_name_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="NIANBAO_WEBHOOK_PORT: 'https' is not a valid webhook_port"):
        load_settings(None, environ={"NIANBAO_WEBHOOK_PORT": "https"})
    config = tmp_path / "bot.toml"
    config.write_text("[limits]\nquestion_per_minute = 5\n")
    with pytest.raises(ConfigError, match="unknown setting.*limits.question_per_minute"):
        load_settings(config, environ={})


def test_a_bad_schedule_is_a_configuration_error():
    with pytest.raises(ConfigError, match="NIANBAO_SCHEDULE / index.schedule 'every day'"):
        load_settings(None, environ={"NIANBAO_SCHEDULE": "every day"})
    with pytest.raises(ConfigError, match="time zone 'Mars/Olympus'"):
        load_settings(None, environ={"NIANBAO_SCHEDULE": "30 3 * * *", "NIANBAO_TIMEZONE": "Mars/Olympus"})
    assert load_settings(None, environ={"NIANBAO_SCHEDULE": "30 3 * * 1-5"}).schedule == "30 3 * * 1-5"


def test_the_token_is_masked_when_settings_are_shown():
    shown = describe(dataclasses.replace(Settings(), token="123:secret", webhook_secret="s"))
    assert (shown["token"], shown["webhook_secret"]) == ("123:***", "***")


def test_the_example_file_documents_every_setting_with_its_default():
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = re.sub(r"^# (\w+ = )", r"\1", text, flags=re.MULTILINE)
    values = {f"{section}.{key}": value for section, table in tomllib.loads(uncommented).items()
              for key, value in table.items()}
    assert set(values) == {s.toml for s in SETTINGS}
    for setting in SETTINGS:
        assert setting.env in text, setting.env
        default = list(setting.default) if isinstance(setting.default, tuple) else setting.default
        assert values[setting.toml] == default, setting.toml


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env not in readme]
    assert not missing, f"add these to the README's bot configuration section: {missing}"
