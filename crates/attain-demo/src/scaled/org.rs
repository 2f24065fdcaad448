//! The scaled company's sales organisation: a head of sales, 5 area VPs, 25 regional directors,
//! 250 managers and the reps spread evenly over the managers, plus sales engineers (2% of the
//! reps) under the managers; 3% of rep seats change holder mid-year and 1% move to another
//! manager on 1 July (a second position version). Besides the records, the lookups the
//! transactions need: who holds a rep seat and whom it reports to on a day.

use attain_core::domain::{Assignment, Person, Position, Role};
use attain_core::{Date, Validity};

use super::Year;
use crate::names;
use crate::rng::{Dice, Stream};

pub const VPS: usize = 5;
pub const DIRECTORS: usize = 25;
pub const MANAGERS: usize = 250;
/// The head of sales, the VPs, the directors and the managers: everyone on the manager plan.
pub const LEADERS: usize = 1 + VPS + DIRECTORS + MANAGERS;

/// Percent of rep seats whose holder leaves mid-year and is replaced by a new hire.
const CHURN_PERCENT: usize = 3;
/// Percent of rep seats that report to another manager from 1 July.
const REORG_PERCENT: usize = 1;
/// Sales engineers per hundred reps.
const SE_PERCENT: usize = 2;

pub(crate) fn person_id(person: u32) -> String {
    format!("p-{:06}", person + 1)
}

pub(crate) fn rep_position_id(rep: u32) -> String {
    format!("pos-rep-{:05}", rep + 1)
}

pub(crate) fn manager_position_id(manager: usize) -> String {
    format!("pos-mgr-{:03}", manager + 1)
}

/// A rep position: who holds it and whom it reports to over the year.
#[derive(Debug, Clone)]
pub(crate) struct Seat {
    /// The person holding it from 1 January.
    pub holder: u32,
    /// The day the holder leaves and the new hire who holds the seat from then on.
    pub successor: Option<(u32, u32)>,
    /// The manager (0-based) it reports to from 1 January.
    pub manager: u32,
    /// The manager it reports to from 1 July, after a reorg.
    pub moved_to: Option<u32>,
}

impl Seat {
    pub fn holder_on(&self, day: u32) -> u32 {
        match self.successor {
            Some((from, person)) if day >= from => person,
            _ => self.holder,
        }
    }
}

/// The organisation's records, moved into the dataset.
#[derive(Debug, Default)]
pub(crate) struct Staff {
    pub people: Vec<Person>,
    pub positions: Vec<Position>,
    pub assignments: Vec<Assignment>,
}

/// What the rest of the generator looks up in the organisation.
#[derive(Debug)]
pub(crate) struct Org {
    pub seats: Vec<Seat>,
    /// Day number of 1 July, when reorganised seats move.
    pub reorg_day: u32,
    /// Per manager, the reps whose seat keeps its holder and its manager all year: the only
    /// split partners, so a split never credits someone who was not on the team all year.
    pub steady: Vec<Vec<u32>>,
    /// Per manager, the people of the sales engineers reporting to it.
    pub engineers: Vec<Vec<u32>>,
    /// The director (0-based) each manager reports to.
    pub directors: Vec<usize>,
}

impl Org {
    pub fn manager_on(&self, rep: u32, day: u32) -> u32 {
        let seat = &self.seats[rep as usize];
        match seat.moved_to {
            Some(manager) if day >= self.reorg_day => manager,
            _ => seat.manager,
        }
    }

    pub fn reps(&self) -> usize {
        self.seats.len()
    }
}

struct Builder<'a> {
    year: &'a Year,
    dice: Dice,
    staff: Staff,
}

impl Builder<'_> {
    fn all_year(&self) -> Validity {
        Validity { from: self.year.first(), to: Some(self.year.end()) }
    }

    fn hire(&mut self, hired: Option<Date>) -> u32 {
        let i = self.staff.people.len();
        // Staff from before the year were hired over the five years before it.
        let hire_date = hired.unwrap_or_else(|| {
            let first = self.year.first();
            self.dice.day(crate::dates::add_days(first, -5 * 365), crate::dates::add_days(first, -1))
        });
        self.staff.people.push(Person {
            id: person_id(i as u32),
            name: names::person(i, 0).full,
            email: None,
            hire_date,
            termination_date: None,
            pay_currency: None,
        });
        i as u32
    }

    fn position(&mut self, id: String, title: &str, role: Role, team: String, reports_to: Option<String>) {
        let validity = self.all_year();
        self.staff.positions.push(Position {
            id,
            validity,
            title: title.to_string(),
            role,
            team: Some(team),
            region: None,
            reports_to,
        });
    }

    fn assign(&mut self, person: u32, position: String, validity: Validity) {
        let id = format!("asg-{:06}", self.staff.assignments.len() + 1);
        self.staff.assignments.push(Assignment {
            id,
            person_id: person_id(person),
            position_id: position,
            validity,
        });
    }

    /// A position held all year by a person hired before the year.
    fn leader(&mut self, id: String, title: &str, role: Role, team: String, reports_to: Option<String>) {
        let person = self.hire(None);
        self.position(id.clone(), title, role, team, reports_to);
        let all_year = self.all_year();
        self.assign(person, id, all_year);
    }
}

pub(crate) fn vp_id(vp: usize) -> String {
    format!("pos-vp-{:02}", vp + 1)
}

pub(crate) fn director_id(director: usize) -> String {
    format!("pos-dir-{:02}", director + 1)
}

fn team_of(manager: usize) -> String {
    format!("Team {:03}", manager + 1)
}

/// The organisation for `payees` payees (at least `LEADERS + MANAGERS`).
pub(crate) fn build(seed: u64, year: &Year, payees: usize) -> (Staff, Org) {
    let mut b = Builder { year, dice: Dice::new(seed, Stream::ScaledOrg), staff: Staff::default() };
    b.leader("pos-head".into(), "Head of Sales", Role::Executive, "Sales Leadership".into(), None);
    for vp in 0..VPS {
        let area = format!("Area {}", vp + 1);
        b.leader(vp_id(vp), "Area Vice President", Role::Manager, area, Some("pos-head".into()));
    }
    let directors: Vec<usize> = (0..MANAGERS).map(|m| m * DIRECTORS / MANAGERS).collect();
    for d in 0..DIRECTORS {
        let region = format!("Region {:02}", d + 1);
        b.leader(
            director_id(d),
            "Regional Director",
            Role::Manager,
            region,
            Some(vp_id(d * VPS / DIRECTORS)),
        );
    }
    for (m, director) in directors.iter().enumerate() {
        let reports_to = Some(director_id(*director));
        b.leader(manager_position_id(m), "Sales Manager", Role::Manager, team_of(m), reports_to);
    }

    let reps = payees - LEADERS;
    let mut seats: Vec<Seat> = (0..reps)
        .map(|r| Seat { holder: 0, successor: None, manager: (r * MANAGERS / reps) as u32, moved_to: None })
        .collect();
    for seat in &mut seats {
        seat.holder = b.hire(None);
    }
    let engineers_count = reps * SE_PERCENT / 100;
    let se_people: Vec<u32> = (0..engineers_count).map(|_| b.hire(None)).collect();

    // Which seats change: a shuffle of the reps, the first 3% churn, the next 1% move.
    let mut order: Vec<usize> = (0..reps).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, b.dice.index(i + 1));
    }
    let churn = reps * CHURN_PERCENT / 100;
    let moves = reps * REORG_PERCENT / 100;
    let (first_leave, last_leave) = (year.day_of(3, 1), year.day_of(11, 30));
    for &r in &order[..churn] {
        let day = b.dice.between(i64::from(first_leave), i64::from(last_leave)) as u32;
        let newcomer = b.hire(Some(year.date(day)));
        let leaver = seats[r].holder as usize;
        b.staff.people[leaver].termination_date = Some(year.date(day));
        seats[r].successor = Some((day, newcomer));
    }
    for &r in &order[churn..churn + moves] {
        let other = b.dice.index(MANAGERS - 1);
        seats[r].moved_to = Some(((seats[r].manager as usize + 1 + other) % MANAGERS) as u32);
    }

    let reorg_day = year.day_of(7, 1);
    let (first, end) = (year.first(), year.end());
    for (r, seat) in seats.iter().enumerate() {
        let id = rep_position_id(r as u32);
        let team = team_of(seat.manager as usize);
        let reports_to = Some(manager_position_id(seat.manager as usize));
        b.position(id.clone(), "Account Executive", Role::Rep, team, reports_to);
        if let Some(moved) = seat.moved_to {
            // Versioned per docs/workspace.md: the first version ends where the second starts.
            let july = year.date(reorg_day);
            let before = b.staff.positions.last_mut().expect("just pushed");
            before.validity = Validity { from: first, to: Some(july) };
            let after = Position {
                validity: Validity { from: july, to: Some(end) },
                team: Some(team_of(moved as usize)),
                reports_to: Some(manager_position_id(moved as usize)),
                ..before.clone()
            };
            b.staff.positions.push(after);
        }
        match seat.successor {
            None => b.assign(seat.holder, id, Validity { from: first, to: Some(end) }),
            Some((day, newcomer)) => {
                let change = year.date(day);
                b.assign(seat.holder, id.clone(), Validity { from: first, to: Some(change) });
                b.assign(newcomer, id, Validity { from: change, to: Some(end) });
            }
        }
    }

    let mut engineers = vec![Vec::new(); MANAGERS];
    for (s, &person) in se_people.iter().enumerate() {
        let manager = s * MANAGERS / engineers_count;
        engineers[manager].push(person);
        let id = format!("pos-se-{:04}", s + 1);
        let reports_to = Some(manager_position_id(manager));
        b.position(id.clone(), "Sales Engineer", Role::SalesEngineer, team_of(manager), reports_to);
        b.assign(person, id, Validity { from: first, to: Some(end) });
    }

    let mut steady = vec![Vec::new(); MANAGERS];
    for (r, seat) in seats.iter().enumerate() {
        if seat.successor.is_none() && seat.moved_to.is_none() {
            steady[seat.manager as usize].push(r as u32);
        }
    }
    (b.staff, Org { seats, reorg_day, steady, engineers, directors })
}
