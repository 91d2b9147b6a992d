from seatcopilot_cli.main import main

main()
