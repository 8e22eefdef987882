from refcore.cli import main

main()
