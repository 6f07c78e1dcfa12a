"""Fixtures of the Klipper driver tests: a fake Moonraker on loopback and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from custom_components.ottoengine.klipper import KlipperClient

from .fake_moonraker import FakeMoonraker

API_KEY = "0123456789abcdef0123456789abcdef"


@pytest_asyncio.fixture
async def fake(loopback_enabled: None) -> AsyncIterator[FakeMoonraker]:
    moonraker = FakeMoonraker(api_key=API_KEY)
    await moonraker.start()
    yield moonraker
    await moonraker.stop()


@pytest_asyncio.fixture
async def session(loopback_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest_asyncio.fixture
async def client(fake: FakeMoonraker, session: aiohttp.ClientSession) -> KlipperClient:
    return KlipperClient(session, "127.0.0.1", fake.port, api_key=API_KEY, timeout=5.0)
