from services.classifier.main import main

main()
