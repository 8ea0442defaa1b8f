//! Two texts' facts compared, as the facts rule reads them (`neardup.core.facts.compare_facts`,
//! the specification, function by function): how many facts of one stand in place of facts of
//! the other, whether any of those is dated and whether all are numbers, and how many facts of
//! the side with fewer are found in the other. Strings compare as Python's do, by code point:
//! the order of their UTF-8 bytes.

use std::collections::{HashMap, HashSet};

use crate::facts::{text_facts, Chars, Fact, FactKind, TextFacts, EDGE};
use crate::parallel;

/// What the facts rule reads of a comparison (`facts.FactComparison`): its changes, how many;
/// whether one is a date, month or weekday (`dated`) and whether all are numbers
/// (`only_numbers`); the distinct facts of the side with fewer (`fewer`) and how many of them
/// the other holds (`found`: the facts that agree).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compared {
    pub changes: usize,
    pub dated: bool,
    pub only_numbers: bool,
    pub fewer: usize,
    pub found: usize,
}

/// `_kind`: a date stands in the slot of a month.
fn slot_kind(kind: FactKind) -> FactKind {
    if kind == FactKind::Date {
        FactKind::Month
    } else {
        kind
    }
}

/// `_name_words`: a name's words as compared ("<SKPS.ST>" and "SKPS ST" have the same).
fn name_words(name: &str) -> impl Iterator<Item = &str> {
    name.split(['.', ' ']).filter(|w| !w.is_empty())
}

/// A number fact's value split at its first space: the figure, and its unit words.
fn number_and_unit(value: &str) -> (&str, Vec<&str>) {
    let mut words = value.split(' ');
    (words.next().unwrap_or(""), words.collect())
}

/// A text's facts, looked up as another text's facts are compared with them (`_Known`).
struct Known<'f> {
    /// Each (kind, value) once, its first occurrence, in order.
    distinct: Vec<&'f Fact>,
    values: HashSet<(FactKind, &'f str)>,
    numbers: HashMap<&'f str, Vec<Vec<&'f str>>>,
    name_words: HashSet<&'f str>,
    quotes: Vec<&'f str>,
    months: HashSet<&'f str>,
}

impl<'f> Known<'f> {
    fn new(facts: &[&'f Fact]) -> Self {
        let mut known = Known {
            distinct: Vec::new(),
            values: HashSet::new(),
            numbers: HashMap::new(),
            name_words: HashSet::new(),
            quotes: Vec::new(),
            months: HashSet::new(),
        };
        for &fact in facts {
            if !known.values.insert((fact.kind, &fact.value)) {
                continue;
            }
            known.distinct.push(fact);
            let value = fact.value.as_str();
            match fact.kind {
                FactKind::Number => {
                    let (number, unit) = number_and_unit(value);
                    known.numbers.entry(number).or_default().push(unit);
                }
                FactKind::Name => known.name_words.extend(name_words(value)),
                FactKind::Quote => known.quotes.push(value),
                FactKind::Date => {
                    known.months.insert(value.split(' ').next().unwrap_or(""));
                }
                _ => {}
            }
        }
        known
    }

    /// `_Known.has`: whether this text holds the fact, as spelt or as a shorter or longer form
    /// of it (a number without its unit, a name by its words, a quote inside a longer one, a
    /// month inside a date).
    fn has(&self, fact: &Fact) -> bool {
        if self.values.contains(&(fact.kind, fact.value.as_str())) {
            return true;
        }
        match fact.kind {
            FactKind::Number => {
                let (number, unit) = number_and_unit(&fact.value);
                self.numbers.get(number).is_some_and(|units| {
                    units
                        .iter()
                        .any(|u| u.starts_with(&unit) || unit.starts_with(u))
                })
            }
            FactKind::Name => name_words(&fact.value).all(|w| self.name_words.contains(w)),
            FactKind::Quote => self.quotes.iter().any(|q| q.contains(fact.value.as_str())),
            FactKind::Month => self.months.contains(fact.value.as_str()),
            _ => false,
        }
    }
}

/// One text's facts as compared: all of them in order (`Facts.items`), and looked up.
struct Side<'f> {
    items: Vec<&'f Fact>,
    known: Known<'f>,
}

impl<'f> Side<'f> {
    /// The facts of a text, without its names where `names` is false (`Facts.without_names`).
    fn new(facts: &'f [Fact], names: bool) -> Self {
        let items: Vec<&Fact> = facts
            .iter()
            .filter(|f| names || f.kind != FactKind::Name)
            .collect();
        let known = Known::new(&items);
        Side { items, known }
    }

    /// `sorted(facts.items)`, as Python orders the tuples.
    fn sorted(&self) -> Vec<(FactKind, &'f str, &'f str, &'f str, &'f str)> {
        let mut items: Vec<_> = self
            .items
            .iter()
            .map(|f| (f.kind, &*f.value, &*f.shown, &*f.before, &*f.after))
            .collect();
        items.sort_unstable();
        items
    }
}

/// `compare_facts`: compared from the side with fewer distinct facts, then the smaller sorted
/// facts (the same answer whichever text comes first); names left out where either text is
/// written in capitals.
fn compare(a: &TextFacts, b: &TextFacts, sides: (&Side, &Side)) -> Compared {
    if a.caps_text || b.caps_text {
        let (a, b) = (Side::new(&a.facts, false), Side::new(&b.facts, false));
        return compare_sides(&a, &b);
    }
    compare_sides(sides.0, sides.1)
}

fn compare_sides(a: &Side, b: &Side) -> Compared {
    let (fewer_a, fewer_b) = (a.known.distinct.len(), b.known.distinct.len());
    if fewer_b < fewer_a || (fewer_b == fewer_a && b.sorted() < a.sorted()) {
        compare_from(b, a)
    } else {
        compare_from(a, b)
    }
}

/// A change: the kind of A's fact, as shown in A and in B.
type Change<'f> = (FactKind, &'f str, &'f str);

/// A figure's slot: its kind (a date's is a month's) and the words before and after it.
type FigureSlot<'f> = (FactKind, &'f str, &'f str);

/// `_compare`: A's facts looked up in B and B's in A, then paired where they stand in place
/// of each other.
fn compare_from(a: &Side, b: &Side) -> Compared {
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    let mut found = 0;
    for &fact in &a.known.distinct {
        if b.known.has(fact) {
            found += 1;
        } else {
            only_a.push(fact);
        }
    }
    for &fact in &b.known.distinct {
        if !a.known.has(fact) {
            only_b.push(fact);
        }
    }
    let mut changes = changes(&only_a, &only_b);
    let in_place = figures_in_place(&a.items, &b.items, &changes);
    changes.extend(in_place);
    Compared {
        changes: changes.len(),
        dated: changes
            .iter()
            .any(|c| matches!(slot_kind(c.0), FactKind::Month | FactKind::Weekday)),
        only_numbers: changes.iter().all(|c| c.0 == FactKind::Number),
        fewer: a.known.distinct.len(),
        found,
    }
}

/// Where a fact is looked up for the facts it may stand in place of (`_whole_slot`,
/// `_one_side`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'f> {
    Slot(FactKind, &'f str, &'f str),
    Before(FactKind, &'f str),
    After(FactKind, &'f str),
}

fn whole_slot(fact: &Fact) -> Vec<Key<'_>> {
    vec![Key::Slot(slot_kind(fact.kind), &fact.before, &fact.after)]
}

fn one_side(fact: &Fact) -> Vec<Key<'_>> {
    let kind = slot_kind(fact.kind);
    let sides = [
        (&fact.before, Key::Before(kind, &fact.before)),
        (&fact.after, Key::After(kind, &fact.after)),
    ];
    sides
        .into_iter()
        .filter(|(word, _)| !no_slot(word))
        .map(|(_, key)| key)
        .collect()
}

/// `_NO_SLOT`: words too common to make a slot of their own, and a sentence's edge.
fn no_slot(word: &str) -> bool {
    word == EDGE
        || matches!(
            word,
            "a" | "an"
                | "the"
                | "and"
                | "or"
                | "but"
                | "nor"
                | "of"
                | "in"
                | "on"
                | "at"
                | "to"
                | "for"
                | "from"
                | "by"
                | "with"
                | "as"
                | "into"
                | "onto"
                | "than"
                | "then"
                | "that"
                | "this"
                | "these"
                | "those"
                | "is"
                | "are"
                | "was"
                | "were"
                | "be"
                | "been"
                | "being"
                | "has"
                | "have"
                | "had"
                | "do"
                | "does"
                | "did"
                | "it"
                | "its"
                | "he"
                | "she"
                | "they"
                | "we"
                | "you"
                | "i"
                | "his"
                | "her"
                | "their"
                | "our"
                | "your"
                | "my"
                | "not"
                | "no"
                | "so"
                | "if"
                | "when"
                | "while"
                | "after"
                | "before"
                | "since"
                | "under"
                | "over"
                | "about"
                | "between"
                | "against"
                | "during"
                | "through"
                | "per"
                | "via"
                | "up"
                | "down"
                | "out"
                | "off"
        )
}

/// `_lone`: a name that is a sentence of its own has no slot.
fn lone(fact: &Fact) -> bool {
    fact.before == EDGE && fact.after == EDGE && fact.kind == FactKind::Name
}

/// `_changes`: facts of A in the slot of a fact of B of the same kind, each paired at most once,
/// in the order of A, each with the first of B's not paired yet; by the whole slot first, then
/// by one side. Quotes and lone names are not paired, nor two spellings of one name.
fn changes<'f>(only_a: &[&'f Fact], only_b: &[&'f Fact]) -> Vec<Change<'f>> {
    let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
    for (n, other) in only_b.iter().enumerate() {
        for key in whole_slot(other).into_iter().chain(one_side(other)) {
            by_key.entry(key).or_default().push(n);
        }
    }
    let mut paired = vec![false; only_b.len()];
    let mut changes = Vec::new();
    let mut unpaired: Vec<&Fact> = only_a
        .iter()
        .copied()
        .filter(|f| f.kind != FactKind::Quote && !lone(f))
        .collect();
    for keys_of in [whole_slot, one_side] {
        let mut rest = Vec::new();
        for fact in unpaired {
            let waiting = keys_of(fact)
                .into_iter()
                .flat_map(|key| by_key.get(&key).into_iter().flatten().copied());
            let other = waiting
                .into_iter()
                .find(|&n| !paired[n] && !one_name(fact, only_b[n]));
            match other {
                None => rest.push(fact),
                Some(n) => {
                    paired[n] = true;
                    changes.push((fact.kind, &*fact.shown, &*only_b[n].shown));
                }
            }
        }
        unpaired = rest;
    }
    changes
}

/// `FIGURES`'s facts of a text by their slot (`_figure_slots`), slots in the order first seen.
fn figure_slots<'f>(items: &[&'f Fact]) -> Vec<(FigureSlot<'f>, Vec<&'f Fact>)> {
    let mut at: HashMap<FigureSlot, usize> = HashMap::new();
    let mut slots: Vec<(_, Vec<&Fact>)> = Vec::new();
    for &fact in items {
        if !matches!(
            fact.kind,
            FactKind::Number | FactKind::Date | FactKind::Month
        ) {
            continue;
        }
        let slot = (slot_kind(fact.kind), &*fact.before, &*fact.after);
        let n = *at.entry(slot).or_insert_with(|| {
            slots.push((slot, Vec::new()));
            slots.len() - 1
        });
        slots[n].1.push(fact);
    }
    slots
}

/// `_figures_in_place`: figures of A standing in place of figures of B in one whole slot where
/// both hold figures the other's slot lacks; each in order, none already in `changes`.
fn figures_in_place<'f>(a: &[&'f Fact], b: &[&'f Fact], changes: &[Change<'f>]) -> Vec<Change<'f>> {
    let mut shown_a: HashSet<&str> = changes.iter().map(|c| c.1).collect();
    let mut shown_b: HashSet<&str> = changes.iter().map(|c| c.2).collect();
    let slots_b: HashMap<_, _> = figure_slots(b).into_iter().collect();
    let values = |facts: &[&'f Fact]| -> HashSet<(FactKind, &'f str)> {
        facts.iter().map(|f| (f.kind, &*f.value)).collect()
    };
    let mut found = Vec::new();
    for (slot, in_a) in figure_slots(a) {
        let in_b = slots_b.get(&slot).map_or(&[][..], Vec::as_slice);
        if values(&in_a) == values(in_b) {
            continue;
        }
        let (known_a, known_b) = (Known::new(&in_a), Known::new(in_b));
        let only = |facts: &[&'f Fact], other: &Known, shown: &HashSet<&str>| -> Vec<&'f Fact> {
            facts
                .iter()
                .copied()
                .filter(|f| !other.has(f) && !shown.contains(&*f.shown))
                .collect()
        };
        let only_a = only(&in_a, &known_b, &shown_a);
        let only_b = only(in_b, &known_a, &shown_b);
        for (x, y) in only_a.into_iter().zip(only_b) {
            found.push((x.kind, &*x.shown, &*y.shown));
            shown_a.insert(&x.shown);
            shown_b.insert(&y.shown);
        }
    }
    found
}

/// `SAME_NAME`: two spellings of one name are this similar or more (difflib's ratio).
const SAME_NAME: f64 = 0.8;

/// `_one_name`: two spellings of one name (a typo fixed, or initials), or a ticker and a name.
fn one_name(a: &Fact, b: &Fact) -> bool {
    if a.kind != FactKind::Name {
        return false;
    }
    if a.shown.starts_with('<') != b.shown.starts_with('<') {
        return true;
    }
    if ratio(&a.value, &b.value) >= SAME_NAME {
        return true;
    }
    let initials =
        |name: &str| -> String { name_words(name).filter_map(|w| w.chars().next()).collect() };
    let whole = |name: &str| -> String { name_words(name).collect() };
    initials(&a.value) == whole(&b.value) || initials(&b.value) == whole(&a.value)
}

/// `difflib.SequenceMatcher(None, a, b).ratio()` over code points: twice the characters of
/// its matching blocks over the characters of both.
pub fn ratio(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * Matcher::new(&a, &b).matching_characters() as f64 / total as f64
}

/// `difflib.SequenceMatcher` without junk, autojunk on.
struct Matcher<'s> {
    a: &'s [char],
    b: &'s [char],
    /// `b2j`: where each character stands in `b`, ascending; without the popular ones.
    b2j: HashMap<char, Vec<usize>>,
}

impl<'s> Matcher<'s> {
    /// `__chain_b`: in a `b` of 200 characters or more, a character in more than 1% of it
    /// (and one more) is popular, and no match starts from it.
    fn new(a: &'s [char], b: &'s [char]) -> Self {
        let mut b2j: HashMap<char, Vec<usize>> = HashMap::new();
        for (j, &c) in b.iter().enumerate() {
            b2j.entry(c).or_default().push(j);
        }
        if b.len() >= 200 {
            let most = b.len() / 100 + 1;
            b2j.retain(|_, at| at.len() <= most);
        }
        Matcher { a, b, b2j }
    }

    /// `get_matching_blocks`: the characters of all the blocks (their order does not count).
    fn matching_characters(&self) -> usize {
        let mut queue = vec![(0, self.a.len(), 0, self.b.len())];
        let mut matched = 0;
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let (i, j, k) = self.longest_match(alo, ahi, blo, bhi);
            if k == 0 {
                continue;
            }
            matched += k;
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
        matched
    }

    /// `find_longest_match`: the first longest block of `a[alo..ahi]` in `b[blo..bhi]` that
    /// starts from no popular character, then grown by equal characters on each side.
    fn longest_match(
        &self,
        alo: usize,
        ahi: usize,
        blo: usize,
        bhi: usize,
    ) -> (usize, usize, usize) {
        let (a, b) = (self.a, self.b);
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
        // j2len[j]: the longest match ending with a[i - 1] and b[j].
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for (i, c) in a.iter().enumerate().take(ahi).skip(alo) {
            let mut next = HashMap::new();
            for &j in self.b2j.get(c).map_or(&[][..], Vec::as_slice) {
                if j < blo {
                    continue;
                }
                if j >= bhi {
                    break;
                }
                let k = j
                    .checked_sub(1)
                    .and_then(|p| j2len.get(&p))
                    .map_or(0, |k| *k)
                    + 1;
                next.insert(j, k);
                if k > bestsize {
                    (besti, bestj, bestsize) = (i + 1 - k, j + 1 - k, k);
                }
            }
            j2len = next;
        }
        while besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1] {
            (besti, bestj, bestsize) = (besti - 1, bestj - 1, bestsize + 1);
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && a[besti + bestsize] == b[bestj + bestsize]
        {
            bestsize += 1;
        }
        (besti, bestj, bestsize)
    }
}

/// The facts of each text (prepared as `facts.prepared` prepares it) read, then each pair of
/// texts (`left[i]`, `right[i]`) compared as `compare_facts` compares them.
pub fn compare_texts(texts: &[&[u8]], left: &[i64], right: &[i64], chars: &Chars) -> Vec<Compared> {
    let read = parallel::map(texts.len(), |d| text_facts(texts[d], chars));
    let sides = parallel::map(texts.len(), |d| Side::new(&read[d].facts, true));
    parallel::map(left.len(), |i| {
        let (a, b) = (left[i] as usize, right[i] as usize);
        compare(&read[a], &read[b], (&sides[a], &sides[b]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::shipped_char_table;

    fn compared(a: &str, b: &str) -> Compared {
        let chars = Chars::new(shipped_char_table()).unwrap();
        compare_texts(&[a.as_bytes(), b.as_bytes()], &[0], &[1], &chars)[0]
    }

    #[test]
    fn ratio_is_difflibs() {
        assert_eq!(ratio("", ""), 1.0);
        assert_eq!(ratio("abcd", "bcde"), 0.75);
        assert_eq!(ratio("braodcasting", "broadcasting"), 2.0 * 11.0 / 24.0);
        // 200 characters or more: popular characters start no match (`autojunk`).
        let a = "ab".repeat(100);
        let b = "ba".repeat(100);
        assert_eq!(ratio(&a, &b), 0.0);
        assert_eq!(ratio("é北", "北é"), 0.5);
    }

    #[test]
    fn a_template_with_other_facts() {
        let a = "Chemical Bank said it raised its prime rate to 7.75 pct in March.";
        let b = "Chase Manhattan said it raised its prime rate to 7.75 pct in April.";
        let expected = Compared {
            changes: 2,
            dated: true,
            only_numbers: false,
            fewer: 3,
            found: 1,
        };
        assert_eq!(compared(a, b), expected);
        assert_eq!(compared(b, a), expected);
    }

    #[test]
    fn the_same_facts_agree() {
        // "Chase" starts the sentence: no name.
        let a = "Chase said on Tuesday it raised its rate to 5 pct.";
        let found = compared(a, a);
        assert_eq!((found.changes, found.fewer, found.found), (0, 2, 2));
        assert!(found.only_numbers && !found.dated);
    }
}
