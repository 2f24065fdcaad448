//! A 256-bit unsigned integer, just wide enough for apportioning exactly: a decimal weight
//! rescaled to the widest scale among its siblings needs up to 96 + 94 bits, and multiplying
//! it by a 64-bit total needs 254 — more than `u128`, far less than a bignum crate.

use std::cmp::Ordering;

/// Little-endian 64-bit limbs. Every operation is checked: overflow is `None`, never a wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct U256([u64; 4]);

impl U256 {
    pub(crate) const ZERO: U256 = U256([0; 4]);

    pub(crate) fn from_u128(value: u128) -> U256 {
        // Splitting into halves: the truncating casts keep exactly the bits each limb holds.
        U256([value as u64, (value >> 64) as u64, 0, 0])
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The value, if it fits in 64 bits.
    pub(crate) fn to_u64(self) -> Option<u64> {
        (self.0[1..] == [0; 3]).then_some(self.0[0])
    }

    pub(crate) fn checked_add(self, other: U256) -> Option<U256> {
        let mut out = [0u64; 4];
        let mut carry = false;
        for (slot, (a, b)) in out.iter_mut().zip(self.0.iter().zip(other.0.iter())) {
            let (sum, c1) = a.overflowing_add(*b);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *slot = sum;
            carry = c1 || c2;
        }
        (!carry).then_some(U256(out))
    }

    pub(crate) fn checked_sub(self, other: U256) -> Option<U256> {
        (self >= other).then(|| self.wrapping_sub(other))
    }

    pub(crate) fn checked_mul_u64(self, factor: u64) -> Option<U256> {
        let mut out = [0u64; 4];
        let mut carry: u128 = 0;
        for (slot, limb) in out.iter_mut().zip(self.0.iter()) {
            // 64 × 64 bits plus a carry below 2^64 fits in 128 bits.
            let product = u128::from(*limb) * u128::from(factor) + carry;
            *slot = product as u64;
            carry = product >> 64;
        }
        (carry == 0).then_some(U256(out))
    }

    /// `self × 10^exponent`.
    pub(crate) fn checked_mul_pow10(self, exponent: u32) -> Option<U256> {
        let mut value = self;
        let mut left = exponent;
        while left > 0 {
            // 10^19 is the largest power of ten in a u64.
            let step = left.min(19);
            value = value.checked_mul_u64(10u64.pow(step))?;
            left -= step;
        }
        Some(value)
    }

    /// Quotient and remainder; `None` when dividing by zero.
    pub(crate) fn div_rem(self, divisor: U256) -> Option<(U256, U256)> {
        if divisor.is_zero() {
            return None;
        }
        // Restoring long division, one bit at a time from the highest set bit of the dividend.
        // The remainder stays below the divisor; when shifting it pushes a bit out of the top,
        // the true value is at least 2^256 > divisor, and the wrapping subtraction below gives
        // the exact difference.
        let mut quotient = U256::ZERO;
        let mut remainder = U256::ZERO;
        for bit in (0..self.bits()).rev() {
            let (shifted, carried) = remainder.shl1();
            remainder = shifted.with_bit(0, self.bit(bit));
            if carried || remainder >= divisor {
                remainder = remainder.wrapping_sub(divisor);
                quotient = quotient.with_bit(bit, true);
            }
        }
        Some((quotient, remainder))
    }

    /// How many bits the value needs (0 for zero).
    fn bits(&self) -> u32 {
        for (index, limb) in self.0.iter().enumerate().rev() {
            if *limb != 0 {
                // index < 4, so the product cannot overflow.
                return 64 * index as u32 + (64 - limb.leading_zeros());
            }
        }
        0
    }

    fn bit(&self, bit: u32) -> bool {
        let limb = self.0[(bit / 64) as usize % 4];
        limb >> (bit % 64) & 1 == 1
    }

    fn with_bit(mut self, bit: u32, on: bool) -> U256 {
        let limb = &mut self.0[(bit / 64) as usize % 4];
        let mask = 1u64 << (bit % 64);
        if on {
            *limb |= mask;
        } else {
            *limb &= !mask;
        }
        self
    }

    /// Shifted left by one, and whether a bit fell out of the top.
    fn shl1(self) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut carry = 0u64;
        for (slot, limb) in out.iter_mut().zip(self.0.iter()) {
            *slot = (limb << 1) | carry;
            carry = limb >> 63;
        }
        (U256(out), carry == 1)
    }

    fn wrapping_sub(self, other: U256) -> U256 {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for (slot, (a, b)) in out.iter_mut().zip(self.0.iter().zip(other.0.iter())) {
            let (diff, b1) = a.overflowing_sub(*b);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *slot = diff;
            borrow = b1 || b2;
        }
        U256(out)
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &U256) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &U256) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wide(value: u128) -> U256 {
        U256::from_u128(value)
    }

    #[test]
    fn arithmetic_past_128_bits_is_exact() {
        // (2^127 × 10^20 + 7) ÷ 10^20 = 2^127 remainder 7: the dividend needs 194 bits.
        let big = wide(1 << 127).checked_mul_pow10(20).and_then(|v| v.checked_add(wide(7))).unwrap();
        let (quotient, remainder) = big.div_rem(wide(10u128.pow(20))).unwrap();
        assert_eq!(quotient, wide(1 << 127));
        assert_eq!(remainder, wide(7));
        assert_eq!(quotient.to_u64(), None);
        assert_eq!(wide(42).to_u64(), Some(42));
    }

    #[test]
    fn overflow_and_division_by_zero_are_refused() {
        let top = U256([u64::MAX; 4]);
        assert_eq!(top.checked_add(wide(1)), None);
        assert_eq!(wide(1).checked_sub(wide(2)), None);
        assert_eq!(wide(5).checked_sub(wide(2)), Some(wide(3)));
        assert_eq!(top.checked_mul_u64(2), None);
        assert_eq!(wide(1).checked_mul_pow10(78), None, "10^78 > 2^256");
        assert!(wide(1).checked_mul_pow10(77).is_some());
        assert_eq!(wide(5).div_rem(U256::ZERO), None);
        // A divisor with the top bit set exercises the carried shift.
        let half = U256([0, 0, 0, 1 << 63]);
        assert_eq!(top.div_rem(half), Some((wide(1), top.wrapping_sub(half))));
    }

    proptest! {
        #[test]
        fn agrees_with_u128(a in any::<u128>(), b in 1..=u128::MAX, m in any::<u64>()) {
            let (q, r) = wide(a).div_rem(wide(b)).unwrap();
            prop_assert_eq!((q, r), (wide(a / b), wide(a % b)));
            prop_assert_eq!(wide(a).cmp(&wide(b)), a.cmp(&b));
            let sum = wide(a).checked_add(wide(b)).unwrap();
            let (sum_q, sum_r) = sum.div_rem(wide(b)).unwrap();
            prop_assert_eq!(sum_r, wide(a % b));
            prop_assert_eq!(sum_q, wide(a / b + 1));
            // a × m ÷ m = a, through 192 bits.
            let product = wide(a).checked_mul_u64(m.max(1)).unwrap();
            prop_assert_eq!(product.div_rem(wide(u128::from(m.max(1)))), Some((wide(a), U256::ZERO)));
        }
    }
}
