# Texts of the tests of the mechanism itself.
test-plural = { $count } { $count ->
    [one] validation
   *[other] validations
}
test-hello = Bonjour { $name }
