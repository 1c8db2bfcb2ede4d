print("autotrainess-bench: no benchmarks yet")
