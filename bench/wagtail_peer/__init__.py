"""A minimal Wagtail site with a form builder page: the lead form's peer in `bench/submit.py`.

Optional: needs the `bench` extra (`pip install -e ".[bench]"`); nothing outside `bench/`
imports it. Its own settings, database and gunicorn: `bench.wagtail_peer.settings`.
"""
