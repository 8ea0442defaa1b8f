//! The hash functions every key is made of.

pub const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;
pub const M1: u64 = 0xFF51_AFD7_ED55_8CCD;
pub const M2: u64 = 0xC4CE_B9FE_1A85_EC53;
pub const MAX32: u32 = u32::MAX;

/// MurmurHash3's finalizer: spreads every input bit over the 64 output bits.
#[inline(always)]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(M1);
    h ^= h >> 33;
    h = h.wrapping_mul(M2);
    h ^ (h >> 33)
}

/// One step of FNV-1a.
#[inline(always)]
pub fn fnv(h: u64, byte: u8) -> u64 {
    (h ^ byte as u64).wrapping_mul(FNV_PRIME)
}

/// One step of a chain of hashes, in order: the keys of token sequences and of band rows.
#[inline(always)]
pub fn chain(h: u64, x: u64) -> u64 {
    fmix64(h ^ x).wrapping_add(FNV_PRIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmix64_matches_murmur3_reference_values() {
        assert_eq!(fmix64(0), 0);
        // MurmurHash3's fmix64 of 1, as its reference C code computes it.
        assert_eq!(fmix64(1), 0xB456_BCFC_34C2_CB2C);
    }
}
