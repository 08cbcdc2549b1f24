"""Settings, split by topic and read only from the environment (see `.env.example`)."""

from config.settings.api import *  # noqa: F403
from config.settings.audience import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.workers import *  # noqa: F403
