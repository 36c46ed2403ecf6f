print("raisedash")
