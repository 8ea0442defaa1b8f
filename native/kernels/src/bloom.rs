//! Bloom filters over 64-bit hash keys (`neardup.index.bloom`): which keys a segment may hold.

/// Set the bit `m >> shift` of `bits` for every mixed hash `m` of every key.
pub fn set_bits(bits: &mut [u8], mixed: &[u64], shift: u32) {
    for &m in mixed {
        let p = m >> shift;
        bits[(p >> 3) as usize] |= 1 << (p & 7);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_position_sets_its_bit() {
        let mut bits = [0u8; 2];
        super::set_bits(&mut bits, &[3u64 << 60, 9u64 << 60], 60);
        assert_eq!(bits, [0b1000, 0b10]);
    }
}
