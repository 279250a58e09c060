"""Route modules. Every module here exposing ``router`` (an ``APIRouter``) is included by
``create_app``; an optional ``NAV`` tuple of ``callops.web.NavItem`` adds header links and
home-page cards. Add a page by adding a module; see docs/web.md.
"""
