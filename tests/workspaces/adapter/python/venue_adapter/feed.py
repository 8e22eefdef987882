import time


async def poll(session):
    time.sleep(0.5)
    return await session.get("/ticks")
