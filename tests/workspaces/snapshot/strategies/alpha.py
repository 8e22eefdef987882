import random
import time


async def on_bar(bar, symbols):
    time.sleep(0.1)
    for s in set(symbols):
        print(s, random.random())
