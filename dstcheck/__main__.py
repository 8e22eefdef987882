from dstcheck.cli import main

main()
