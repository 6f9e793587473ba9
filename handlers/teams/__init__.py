"""Microsoft Teams: the transport (inbound authentication, the bridge from the WSGI server to the Teams
SDK's event loop, the outbound Bot Connector client), the app package, and a local Bot Connector
stand-in under devkit/. Needs the `teams` extra (`pip install -e '.[teams]'`)."""

import warnings

# The SDK announces its preview HTML widgets when it is imported; nothing here uses them, and an
# operator's log should not say so at every start.
warnings.filterwarnings("ignore", message=r"HtmlWidgetSecurityPolicy is in preview")
