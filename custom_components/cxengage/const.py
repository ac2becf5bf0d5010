"""Constants for the CxEngage integration."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "cxengage"
LOGGER = logging.getLogger(__package__)

CONF_REGION: Final = "region"
CONF_BASE_URL: Final = "base_url"
CONF_TENANT_ID: Final = "tenant_id"
CONF_AUTH_METHOD: Final = "auth_method"
CONF_STATISTICS: Final = "statistics"

# The API's filter keys for one queue and for one agent (a "resource").
QUEUE_FILTER: Final = "queue-id"
AGENT_FILTER: Final = "resource-id"

DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=30)
# The shortest poll interval the options accept, to spare the API.
MIN_SCAN_INTERVAL: Final = timedelta(seconds=10)
# The longest wait between polls while the API keeps failing.
MAX_BACKOFF: Final = timedelta(minutes=5)
# Seconds allowed for one HTTP request to the API, connecting included.
REQUEST_TIMEOUT: Final = 15.0

# Preselected in the statistics step when the tenant's catalogue offers them.
DEFAULT_STATISTICS: Final = (
    "queue-length",
    "interactions-in-conversation-count",
    "resources-logged-in-count",
    "resources-idle-count",
    "service-level",
    "queue-time",
    "interaction-starts-count",
)
