from leadgen.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
