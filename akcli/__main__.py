from akcli.fastpath import main

main()
