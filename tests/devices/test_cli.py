"""`pingan devices …` commands."""

from __future__ import annotations

from typer.testing import CliRunner

from pingan.cli import app

runner = CliRunner()


def test_schemas_check_passes_on_the_committed_files():
    result = runner.invoke(app, ["devices", "schemas", "--check"])
    assert result.exit_code == 0, result.output


def test_schemas_check_fails_on_stale_files(tmp_path):
    (tmp_path / "telemetry.schema.json").write_text("{}", "utf-8")
    result = runner.invoke(app, ["devices", "schemas", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1


def test_gateway_needs_a_broker_url(monkeypatch):
    monkeypatch.delenv("PINGAN_MQTT_URL", raising=False)
    result = runner.invoke(app, ["devices", "gateway"])
    assert result.exit_code == 2 and "PINGAN_MQTT_URL" in result.output


def test_simulate_publishes(mqtt_url):
    result = runner.invoke(
        app, ["devices", "simulate", "--n", "10", "--duration", "0.5", "--mqtt", mqtt_url]
    )
    assert result.exit_code == 0, result.output
    assert "条/秒" in result.output
