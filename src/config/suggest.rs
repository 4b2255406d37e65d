//! "Did you mean …?": the closest known word to a likely typo.

/// The candidate closest to `word` by edit distance, if close enough to be
/// a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let dist = levenshtein(word, c);
        if dist <= (word.len().max(c.len()) / 3).max(1) && best.is_none_or(|(b, _)| dist < b) {
            best = Some((dist, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean "x"?` for the closest candidate, if any is close.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean \"{c}\"?"))
}

/// [`did_you_mean`] as a translated hint.
pub fn did_you_mean_tr<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<super::tr::Tr> {
    closest(word, candidates)
        .map(|c| super::tr::tr(super::tr::M::DidYouMean).s("c", format!("\"{c}\"")))
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_close_words() {
        let words = ["aigerim", "dana", "yerlan"];
        assert_eq!(closest("aigerm", words.iter().copied()), Some("aigerim"));
        assert_eq!(closest("zhanna", words.iter().copied()), None);
        assert_eq!(
            did_you_mean("dena", words.iter().copied()).as_deref(),
            Some("did you mean \"dana\"?")
        );
    }
}
