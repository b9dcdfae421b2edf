"""Helpers for the web tests: a real uvicorn server on a free loopback port, and Debian's
Chromium driven by Playwright (installed with apt-get when missing; never downloaded by
Playwright)."""
