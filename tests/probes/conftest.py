from tests.api.conftest import client, engine, seeded  # noqa: F401
