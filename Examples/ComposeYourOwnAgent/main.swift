import AutoTrainess
print("placeholder")
