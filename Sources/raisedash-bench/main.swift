print("raisedash-bench: no benchmarks yet")
