from services.compliance.main import main

main()
