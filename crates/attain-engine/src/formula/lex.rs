//! The lexer: formula text to tokens, each with its character offset; comments and
//! whitespace dropped, and the likely slips (`==`, `&&`, capitals) explained.

use rust_decimal::Decimal;

use super::Located;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Number(Decimal),
    Text(String),
    Ident(String),
    True,
    False,
    And,
    Or,
    Not,
    In,
    If,
    Then,
    Else,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

impl Tok {
    /// How the token reads in messages.
    pub(crate) fn shown(&self) -> String {
        let fixed = match self {
            Tok::Number(n) => return format!("`{n}`"),
            Tok::Text(_) => return "text".to_owned(),
            Tok::Ident(name) => return format!("`{name}`"),
            Tok::True => "true",
            Tok::False => "false",
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Not => "not",
            Tok::In => "in",
            Tok::If => "if",
            Tok::Then => "then",
            Tok::Else => "else",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Eq => "=",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::End => return "the end of the formula".to_owned(),
        };
        format!("`{fixed}`")
    }
}

/// A token and the character offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub at: usize,
}

/// Splits `source` into tokens, ending with `Tok::End`.
pub(crate) fn lex(source: &str) -> Result<Vec<Token>, Located> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = |second: char| chars.get(i + 1) == Some(&second);
        let (tok, len) = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '0'..='9' => {
                let (tok, end) = number(&chars, i)?;
                i = end;
                tokens.push(Token { tok, at: start });
                continue;
            }
            '"' => {
                let (text, end) = text(&chars, i)?;
                i = end;
                tokens.push(Token { tok: Tok::Text(text), at: start });
                continue;
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let end = word_end(&chars, i);
                let word: String = chars[i..end].iter().collect();
                if word.chars().any(|c| c.is_ascii_uppercase()) {
                    let lower = word.to_ascii_lowercase();
                    return Err(Located::new(
                        start,
                        format!("`{word}`: names and keywords are written in lower case (`{lower}`)"),
                    ));
                }
                i = end;
                tokens.push(Token { tok: keyword(word), at: start });
                continue;
            }
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '=' if two('=') => return Err(slip(start, "==", "=")),
            '=' => (Tok::Eq, 1),
            '!' if two('=') => (Tok::Ne, 2),
            '<' if two('=') => (Tok::Le, 2),
            '<' if two('>') => return Err(slip(start, "<>", "!=")),
            '<' => (Tok::Lt, 1),
            '>' if two('=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            '!' => return Err(slip(start, "!", "not")),
            '&' if two('&') => return Err(slip(start, "&&", "and")),
            '|' if two('|') => return Err(slip(start, "||", "or")),
            '%' => {
                return Err(Located::new(
                    start,
                    "`%` must follow a number directly, as in `20%` (it is not the remainder)",
                ));
            }
            '\'' => return Err(Located::new(start, "text is written in double quotes: \"like this\"")),
            other => return Err(Located::new(start, format!("unexpected character `{other}`"))),
        };
        tokens.push(Token { tok, at: start });
        i += len;
    }
    tokens.push(Token { tok: Tok::End, at: chars.len() });
    Ok(tokens)
}

fn slip(at: usize, wrote: &str, meant: &str) -> Located {
    Located::new(at, format!("`{wrote}` is not part of the language; write `{meant}`"))
}

fn keyword(word: String) -> Tok {
    match word.as_str() {
        "true" => Tok::True,
        "false" => Tok::False,
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "in" => Tok::In,
        "if" => Tok::If,
        "then" => Tok::Then,
        "else" => Tok::Else,
        _ => Tok::Ident(word),
    }
}

/// The end of an identifier: word characters, and dots that join two name parts. Capitals are
/// included so the caller can report the whole word.
fn word_end(chars: &[char], mut i: usize) -> usize {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let joins_parts =
            chars[i] == '.' && chars.get(i + 1).is_some_and(|&c| c.is_ascii_alphabetic() || c == '_');
        if !(word(chars[i]) || joins_parts) {
            break;
        }
        i += 1;
    }
    i
}

/// A decimal literal `digits[.digits][%]`, read exactly.
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), Located> {
    let mut i = start;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        if !chars.get(i).is_some_and(char::is_ascii_digit) {
            return Err(Located::new(start, "a number needs digits after its `.`, as in `1.5`"));
        }
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
    }
    let digits: String = chars[start..i].iter().collect();
    let too_big = || Located::new(start, format!("the number `{digits}` is too large or too precise"));
    let mut number = Decimal::from_str_exact(&digits).map_err(|_| too_big())?;
    if chars.get(i) == Some(&'%') {
        i += 1;
        // Moving the decimal point keeps the digits: 20% is exactly 0.20.
        number.set_scale(number.scale() + 2).map_err(|_| too_big())?;
    }
    if chars.get(i).is_some_and(|c| c.is_ascii_alphabetic() || *c == '_') {
        return Err(Located::new(
            i,
            "a number must not run into a name; put a space or an operator between them",
        ));
    }
    Ok((Tok::Number(number), i))
}

/// A text literal in double quotes; `\"` and `\\` are the only escapes.
fn text(chars: &[char], start: usize) -> Result<(String, usize), Located> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None | Some('\n') => {
                return Err(Located::new(start, "this text has no closing `\"`"));
            }
            Some('"') => return Ok((text, i + 1)),
            Some('\\') => match chars.get(i + 1) {
                Some(&c @ ('"' | '\\')) => {
                    text.push(c);
                    i += 2;
                }
                _ => {
                    return Err(Located::new(
                        i,
                        "in text, `\\` may only escape `\"` or `\\` (write `\\\\` for a backslash)",
                    ));
                }
            },
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(source: &str) -> Vec<Tok> {
        lex(source).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn err(source: &str) -> (usize, String) {
        let e = lex(source).unwrap_err();
        (e.at, e.message)
    }

    #[test]
    fn percent_is_exact_and_keeps_digits() {
        assert_eq!(toks("20%"), [Tok::Number(Decimal::new(20, 2)), Tok::End]);
        assert_eq!(toks("12.5%"), [Tok::Number(Decimal::new(125, 3)), Tok::End]);
        assert_eq!(toks("1234.50"), [Tok::Number(Decimal::new(123_450, 2)), Tok::End]);
    }

    #[test]
    fn offsets_are_in_characters() {
        let tokens = lex("\"é\" = x").unwrap();
        assert_eq!(tokens.iter().map(|t| t.at).collect::<Vec<_>>(), [0, 4, 6, 7]);
    }

    #[test]
    fn dotted_names_and_keywords() {
        assert_eq!(
            toks("account.industry in x.y"),
            [Tok::Ident("account.industry".into()), Tok::In, Tok::Ident("x.y".into()), Tok::End]
        );
        // A dot not followed by a name part ends the identifier.
        assert!(lex("a.").is_err());
    }

    #[test]
    fn comments_and_newlines_are_free() {
        assert_eq!(
            toks("1 # one\n+ # plus\n2 #"),
            [Tok::Number(Decimal::ONE), Tok::Plus, Tok::Number(Decimal::TWO), Tok::End]
        );
        assert_eq!(toks("# nothing"), [Tok::End]);
    }

    #[test]
    fn escapes_in_text() {
        assert_eq!(toks(r#""a\"b\\c""#), [Tok::Text("a\"b\\c".into()), Tok::End]);
        assert_eq!(err(r#""a\nb""#).0, 2);
        assert_eq!(err("\"open").0, 0);
        assert_eq!(err("\"line\nbreak\"").0, 0);
    }

    #[test]
    fn slips_are_explained() {
        assert!(err("a == b").1.contains("write `=`"));
        assert!(err("a && b").1.contains("`and`"));
        assert!(err("a <> b").1.contains("`!=`"));
        assert!(err("!a").1.contains("`not`"));
        assert!(err("Amount").1.contains("`amount`"));
        assert_eq!(err("5 % 2").0, 2);
        assert!(err("'x'").1.contains("double quotes"));
    }

    #[test]
    fn malformed_numbers() {
        assert_eq!(err("1.").0, 0);
        assert_eq!(err("1.x").0, 0);
        assert_eq!(err("5x").0, 1);
        assert!(err("99999999999999999999999999999999").1.contains("too large"));
        assert!(lex(".5").is_err());
    }
}
