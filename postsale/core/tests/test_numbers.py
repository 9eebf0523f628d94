from postsale.core.numbers import ALPHABET, new_secret, public_number


def test_public_numbers_avoid_look_alike_characters():
    number = public_number("PID")
    assert number.startswith("PID-") and len(number) == 12
    assert not set("ILOU") & set(ALPHABET)
    assert set(number[4:]) <= set(ALPHABET)


def test_secrets_have_at_least_128_bits_and_differ():
    secrets = {new_secret() for _ in range(1000)}
    assert len(secrets) == 1000
    assert all(len(s) * 6 >= 128 for s in secrets)  # base64url: 6 bits a character
