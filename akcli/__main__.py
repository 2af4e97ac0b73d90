from akcli.main import main

main()
