# Superset's settings for veche (docs/BI.md, "Superset"). Read by Superset
# from /app/pythonpath; every secret comes from the environment
# (deploy/bi/compose.yaml), none is written here.
import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_METADATA_URL"]

# Dashboards embedded in veche's pages, opened with guest tokens that veche
# signs (src/bi/superset.rs): HS256, this audience, this secret. The token
# carries the viewer's row-level-security clause.
FEATURE_FLAGS = {
    "EMBEDDED_SUPERSET": True,
    "DASHBOARD_RBAC": True,
}
GUEST_TOKEN_JWT_SECRET = os.environ["GUEST_TOKEN_JWT_SECRET"]
GUEST_TOKEN_JWT_ALGO = "HS256"
GUEST_TOKEN_JWT_AUDIENCE = os.environ.get("GUEST_TOKEN_JWT_AUDIENCE", "superset")
# veche asks for a new token every five minutes; Superset refuses expired ones.
GUEST_TOKEN_JWT_EXP_SECONDS = 300
# What a guest may do: read the dashboards and charts shared with it
# (provision.py grants the role read access to the veche datasets only).
GUEST_ROLE_NAME = "VecheGuest"
# Anonymous visitors get nothing.
PUBLIC_ROLE_LIKE = None
# provision.py creates the guest role through the security API.
FAB_ADD_SECURITY_API = True

VECHE_ORIGIN = os.environ["VECHE_ORIGIN"].rstrip("/")

# The embedded frame is allowed inside veche's pages only; veche's own
# Content-Security-Policy allows this Superset origin in `frame-src`.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'", "'strict-dynamic'"],
        "frame-ancestors": ["'self'", VECHE_ORIGIN],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": VECHE_ORIGIN.startswith("https://"),
    # Talisman's own X-Frame-Options would forbid the frame.
    "frame_options": None,
}
# The guest session cookie is read inside veche's frame (a third-party
# context): it must be SameSite=None, hence Secure, behind HTTPS.
if VECHE_ORIGIN.startswith("https://"):
    SESSION_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = True
OVERRIDE_HTTP_HEADERS = {"X-Frame-Options": "ALLOWALL"}
HTTP_HEADERS = {}

# The embedded SDK talks to Superset from veche's origin.
ENABLE_CORS = True
CORS_OPTIONS = {
    "supports_credentials": True,
    "allow_headers": ["*"],
    "resources": ["/api/*"],
    "origins": [VECHE_ORIGIN],
}

# No example data, no outside calls.
SUPERSET_LOAD_EXAMPLES = False
WTF_CSRF_ENABLED = True
# The read-only role cannot write; SQL Lab is for analysts signed into
# Superset itself, never for guests.
PREVENT_UNSAFE_DB_CONNECTIONS = True
