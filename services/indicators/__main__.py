from services.indicators.main import main

main()
