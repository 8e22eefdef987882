from dstcheck.entry import run

run()
