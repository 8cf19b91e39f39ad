//! The part of Jinja an email template may use. Fuel and the output cap
//! bound a render's time and what it writes, but not one value built in a
//! single step: `'y' * 100000000` allocates 100 MB at once, a chain of
//! `replace` filters multiplies a text at each link, and `{% set b = a ~ a %}`
//! repeated doubles it at each line. So templates are read before they run
//! and refused when they use what could grow a value beyond the size of the
//! template and its variables:
//!
//! - no `*` (repetition), no macros, calls, imports, `{% set %}…{% endset %}`
//!   captures or filter blocks;
//! - only filters that never lengthen a text much (`upper`, `trim`,
//!   `default`…), and only `range` as a function, directly in a `for`;
//! - what is kept in a variable (`set`, `with`, a `for` over a list) joins
//!   nothing (`~`, `+`) and holds no list, so no variable outgrows the
//!   largest text it came from; what is printed or tested may join freely.
//!
//! Every value is then at most as large as the template times its largest
//! variable, and every render is bounded (see [`crate::sandbox`]).

use std::ops::Range;

use minijinja::machinery::ast::{BinOpKind, CallArg, Expr, Stmt};
use minijinja::machinery::{parse, WhitespaceConfig};
use minijinja::syntax::SyntaxConfig;

/// Filters that return a text at most a few times as long as their input
/// (case changes can turn one character into three), or a number.
const FILTERS: &[&str] = &[
    "abs",
    "bool",
    "capitalize",
    "count",
    "d",
    "default",
    "first",
    "float",
    "int",
    "last",
    "length",
    "lower",
    "reverse",
    "round",
    "safe",
    "string",
    "striptags",
    "title",
    "trim",
    "truncate",
    "upper",
    "wordcount",
];

/// A construct a template may not use, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Bytes of the template's text (on character boundaries).
    pub range: Range<usize>,
    pub message: String,
}

/// Checks that `source` keeps to the allowed part of Jinja. A template
/// that does not parse passes here: compiling it reports its syntax.
pub fn vet(source: &str) -> Result<(), Refused> {
    let whitespace = WhitespaceConfig {
        keep_trailing_newline: true,
        ..WhitespaceConfig::default()
    };
    // A unit struct today; one with fields under minijinja's `custom_syntax`.
    #[allow(clippy::default_constructed_unit_structs)]
    let syntax = SyntaxConfig::default();
    let Ok(ast) = parse(source, "template", syntax, whitespace) else {
        return Ok(());
    };
    statement(&ast).map_err(|mut refused| {
        // On character boundaries within the text, whatever the parser said.
        let floor = |mut i: usize| {
            i = i.min(source.len());
            while !source.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(refused.range.start);
        refused.range = start..floor(refused.range.end).max(start);
        refused
    })
}

/// How an expression's value is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Printed or tested, then dropped: it may join texts.
    Shown,
    /// Kept in a variable: it must not outgrow what it came from.
    Kept,
}

fn refuse<T>(span: minijinja::machinery::Span, message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        range: span.start_offset as usize..span.end_offset as usize,
        message: message.into(),
    })
}

fn statements(list: &[Stmt<'_>]) -> Result<(), Refused> {
    list.iter().try_for_each(statement)
}

fn statement(stmt: &Stmt<'_>) -> Result<(), Refused> {
    match stmt {
        Stmt::Template(t) => statements(&t.children),
        Stmt::EmitRaw(_) => Ok(()),
        Stmt::EmitExpr(e) => expr(&e.expr, Use::Shown),
        Stmt::IfCond(c) => {
            expr(&c.expr, Use::Shown)?;
            statements(&c.true_body)?;
            statements(&c.false_body)
        }
        Stmt::ForLoop(f) => {
            if f.recursive {
                return refuse(f.span(), "recursive loops are not used in email templates");
            }
            loop_source(&f.iter)?;
            if let Some(condition) = &f.filter_expr {
                expr(condition, Use::Shown)?;
            }
            statements(&f.body)?;
            statements(&f.else_body)
        }
        Stmt::Set(s) => expr(&s.expr, Use::Kept),
        Stmt::WithBlock(w) => {
            for (_, value) in &w.assignments {
                expr(value, Use::Kept)?;
            }
            statements(&w.body)
        }
        Stmt::AutoEscape(a) => {
            expr(&a.enabled, Use::Shown)?;
            statements(&a.body)
        }
        Stmt::SetBlock(s) => refuse(
            s.span(),
            "`{% set %}…{% endset %}` is not used in email templates; write `{% set name = value %}`",
        ),
        Stmt::FilterBlock(s) => refuse(s.span(), "filter blocks are not used in email templates"),
        other => refuse(
            span_of(other),
            "macros, calls, imports, includes and blocks are not used in email templates: each template stands alone",
        ),
    }
}

/// What a `for` walks: `range(…)`, a list written in place, or a value.
fn loop_source(iter: &Expr<'_>) -> Result<(), Refused> {
    match iter {
        Expr::Call(c) if matches!(&c.expr, Expr::Var(v) if v.id == "range") => {
            arguments(&c.args, Use::Shown)
        }
        Expr::List(l) => l.items.iter().try_for_each(|item| expr(item, Use::Kept)),
        other => expr(other, Use::Kept),
    }
}

fn arguments(args: &[CallArg<'_>], how: Use) -> Result<(), Refused> {
    args.iter().try_for_each(|arg| match arg {
        CallArg::Pos(e) | CallArg::Kwarg(_, e) => expr(e, how),
        CallArg::PosSplat(e) | CallArg::KwargSplat(e) => refuse(
            e.span(),
            "`*` and `**` in calls are not used in email templates",
        ),
    })
}

fn expr(e: &Expr<'_>, how: Use) -> Result<(), Refused> {
    match e {
        Expr::Var(_) | Expr::Const(_) => Ok(()),
        Expr::GetAttr(a) => expr(&a.expr, how),
        Expr::GetItem(i) => {
            expr(&i.expr, how)?;
            expr(&i.subscript_expr, Use::Shown)
        }
        Expr::Slice(s) => {
            expr(&s.expr, how)?;
            for bound in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                expr(bound, Use::Shown)?;
            }
            Ok(())
        }
        Expr::UnaryOp(u) => expr(&u.expr, Use::Shown),
        Expr::Compare(c) => {
            expr(&c.expr, Use::Shown)?;
            c.ops.iter().try_for_each(|op| expr(&op.expr, Use::Shown))
        }
        Expr::Test(t) => {
            expr(&t.expr, Use::Shown)?;
            arguments(&t.args, Use::Shown)
        }
        Expr::IfExpr(i) => {
            expr(&i.test_expr, Use::Shown)?;
            expr(&i.true_expr, how)?;
            i.false_expr.as_ref().map_or(Ok(()), |f| expr(f, how))
        }
        Expr::BinOp(b) => match b.op {
            BinOpKind::Mul => refuse(
                b.span(),
                "`*` is not used in email templates (it repeats a text, which can make it huge)",
            ),
            BinOpKind::Concat | BinOpKind::Add if how == Use::Kept => refuse(
                b.span(),
                "a value kept with `set`, `with` or `for` cannot join texts (`~`, `+`): joined again and again it would double each time; join them where they are printed",
            ),
            // `and`/`or` give one of their operands.
            BinOpKind::ScAnd | BinOpKind::ScOr => {
                expr(&b.left, how)?;
                expr(&b.right, how)
            }
            _ => {
                expr(&b.left, Use::Shown)?;
                expr(&b.right, Use::Shown)
            }
        },
        Expr::Filter(f) => {
            // The first filter of a chain is reported first.
            if let Some(value) = &f.expr {
                expr(value, how)?;
            }
            if !FILTERS.contains(&f.name) {
                return refuse(
                    f.span(),
                    format!(
                        "the filter `{}` is not used in email templates (only {})",
                        f.name,
                        FILTERS.join(", ")
                    ),
                );
            }
            // `default` gives its argument: it is used as the value is.
            arguments(&f.args, how)
        }
        Expr::Call(c) => match &c.expr {
            // `loop.cycle(…)` and `loop.changed(…)` give one of their arguments.
            Expr::GetAttr(a) if matches!(&a.expr, Expr::Var(v) if v.id == "loop") => {
                arguments(&c.args, how)
            }
            Expr::Var(v) if v.id == "range" => refuse(
                c.span(),
                "`range` is used only directly in a loop: `{% for i in range(3) %}`",
            ),
            _ => refuse(
                c.span(),
                "functions are not used in email templates (only `range` in a `for`)",
            ),
        },
        Expr::List(l) if how == Use::Shown => l.items.iter().try_for_each(|i| expr(i, how)),
        Expr::Map(m) if how == Use::Shown => {
            m.keys.iter().try_for_each(|k| expr(k, how))?;
            m.values.iter().try_for_each(|v| expr(v, how))
        }
        Expr::List(_) | Expr::Map(_) => refuse(
            e.span(),
            "a list or a mapping cannot be kept in a variable in an email template",
        ),
    }
}

/// Where a statement the checks refuse as a whole is written.
fn span_of(stmt: &Stmt<'_>) -> minijinja::machinery::Span {
    match stmt {
        Stmt::Template(s) => s.span(),
        Stmt::EmitExpr(s) => s.span(),
        Stmt::EmitRaw(s) => s.span(),
        Stmt::ForLoop(s) => s.span(),
        Stmt::IfCond(s) => s.span(),
        Stmt::WithBlock(s) => s.span(),
        Stmt::Set(s) => s.span(),
        Stmt::SetBlock(s) => s.span(),
        Stmt::AutoEscape(s) => s.span(),
        Stmt::FilterBlock(s) => s.span(),
        Stmt::Block(s) => s.span(),
        Stmt::Import(s) => s.span(),
        Stmt::FromImport(s) => s.span(),
        Stmt::Extends(s) => s.span(),
        Stmt::Include(s) => s.span(),
        Stmt::Macro(s) => s.span(),
        Stmt::CallBlock(s) => s.span(),
        Stmt::Do(s) => s.span(),
        // Statements of features not enabled today (`break`, `continue`).
        #[allow(unreachable_patterns)]
        _ => minijinja::machinery::Span {
            start_line: 1,
            start_col: 0,
            start_offset: 0,
            end_line: 1,
            end_col: 0,
            end_offset: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(source: &str) -> Option<String> {
        vet(source).err().map(|r| source[r.range].to_owned())
    }

    #[test]
    fn ordinary_templates_pass() {
        for ok in [
            "Rappel : {{ stage }} pour le {{ due }}",
            "{% if comment %}« {{ comment | trim }} »{% endif %}",
            "{% set s = stage | upper %}{{ s ~ ' / ' ~ participant }}",
            "{% for i in range(2) %}{{ loop.index }}{% endfor %}",
            "{% for w in ['a', stage] %}{{ w }}{% endfor %}",
            "{{ recipient | default('Madame, Monsieur') }}",
            "{% if stage in ['a', 'b'] %}x{% endif %}",
            "{{ stage }",
        ] {
            assert_eq!(vet(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn what_could_grow_a_value_is_refused_where_it_is_written() {
        assert_eq!(
            refused("a {{ 'y' * 100000000 }}").as_deref(),
            Some("'y' * 100000000")
        );
        assert!(refused("{% set b = stage ~ stage %}").is_some());
        assert!(refused("{% set l = [stage, stage] %}").is_some());
        assert!(refused("{% for x in [stage ~ stage] %}{% endfor %}").is_some());
        assert!(refused("{{ stage | replace('x', 'xxxxxxxxxx') }}").is_some());
        assert!(refused("{{ lipsum(100000) }}").is_some());
        assert!(refused("{% set r = range(100000) %}").is_some());
        assert!(refused("{% macro m(s) %}{{ m(s ~ s) }}{% endmacro %}").is_some());
        assert!(refused("{% set x %}{{ stage }}{% endset %}").is_some());
        assert!(refused("{% include 'other' %}").is_some());
        assert!(refused("{% for x in y recursive %}{% endfor %}").is_some());
    }
}
