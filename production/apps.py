from django.apps import AppConfig


class ProductionConfig(AppConfig):
    name = "production"
    verbose_name = "Production"

    def ready(self) -> None:
        from production import signals, tasks

        signals.scorecard_inputs_changed.connect(
            tasks.refresh_scorecard_when_committed, dispatch_uid="greenlight-refresh"
        )
