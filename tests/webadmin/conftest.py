from tests.webadmin.fixtures import fresh_herald, herald, herald_factory  # noqa: F401
