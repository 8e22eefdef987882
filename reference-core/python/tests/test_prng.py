from refcore.prng import SplitMix64


def test_first_outputs_are_the_published_splitmix64_values():
    rng = SplitMix64(0)
    assert [rng.next_u64() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_bounded_draws_match_the_rust_core():
    # The same constants are asserted in reference-core/rust/src/prng.rs.
    rng = SplitMix64(42)
    assert [rng.below(100) for _ in range(5)] == [13, 91, 58, 64, 50]


def test_seeds_wrap_to_64_bits():
    assert SplitMix64(-1).next_u64() == SplitMix64(2**64 - 1).next_u64()
