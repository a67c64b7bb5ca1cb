"""The shared Redis fixture gives each session a real, private server."""

import redis


def test_redis_round_trip(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("herald:probe", "ok")
    assert client.get("herald:probe") == b"ok"
    assert client.info("server")["redis_mode"] == "standalone"
