from tests.webadmin.fixtures import fresh_herald, herald  # noqa: F401
