//! The sales organisation over time: a VP, regional managers and their reps, sales engineers,
//! and the staffing changes (a departure and its replacement, a new seat, a mid-quarter move
//! between regions) that make effective dating matter.

use attain_core::domain::{Assignment, Person, Position, Role};
use attain_core::{Date, Validity};
use jiff::civil::date;

use crate::dates::{Window, add_days, quarter_start, weekday_on_or_after};
use crate::names;
use crate::rng::{Dice, Stream};

pub(crate) struct Region {
    pub name: &'static str,
    pub slug: &'static str,
}

pub(crate) const REGIONS: [Region; 3] = [
    Region { name: "East", slug: "east" },
    Region { name: "Central", slug: "central" },
    Region { name: "West", slug: "west" },
];
const EAST: usize = 0;
const CENTRAL: usize = 1;
const WEST: usize = 2;

/// Reps per region at scale 1; the staffing events repeat once per block of this many seats.
pub(crate) const REPS_PER_BLOCK: usize = 5;

/// The slice of a region one rep works. Who owns it changes with staffing: a manager covers
/// it while a seat is vacant, a teammate inherits it when its rep moves away.
#[derive(Debug)]
pub(crate) struct Patch {
    pub region: usize,
    /// Owning position (index into `Org::positions`) over time.
    pub owners: Vec<(Validity, usize)>,
}

#[derive(Debug)]
pub(crate) struct Org {
    pub people: Vec<Person>,
    pub positions: Vec<Position>,
    pub assignments: Vec<Assignment>,
    /// Who holds each position (by index) when, as person indexes.
    holders: Vec<Vec<(Validity, usize)>>,
    pub vp: usize,
    /// The manager position of each region, in `REGIONS` order.
    pub managers: Vec<usize>,
    pub patches: Vec<Patch>,
    /// Person indexes of the sales engineers, who join deals for demos.
    pub sales_engineers: Vec<usize>,
    /// When the sales organisation as modelled begins (well before the window).
    pub since: Date,
}

/// The person working something on a day, and the day their seat ends (exclusive), if it does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    pub person: usize,
    pub until: Option<Date>,
}

impl Org {
    pub fn holder(&self, position: usize, day: Date) -> Option<Owner> {
        self.holders[position]
            .iter()
            .find(|(v, _)| v.contains(day))
            .map(|(v, person)| Owner { person: *person, until: v.to })
    }

    /// Whoever works `patch` on `day`: the holder of the position owning it then.
    pub fn patch_owner(&self, patch: usize, day: Date) -> Option<Owner> {
        let (_, position) = self.patches[patch].owners.iter().find(|(v, _)| v.contains(day))?;
        self.holder(*position, day)
    }
}

pub(crate) fn validity(from: Date, to: Option<Date>) -> Validity {
    Validity::new(from, to).expect("the org's ranges are built start before end")
}

struct Builder {
    org: Org,
    dice: Dice,
    /// Person and position index of each assignment, kept alongside so nothing is looked up
    /// by id (which would make large scales quadratic).
    links: Vec<(usize, usize)>,
}

impl Builder {
    fn hire(&mut self, hire_date: Date) -> usize {
        let i = self.org.people.len();
        let name = names::person(i, 0);
        self.org.people.push(Person {
            id: format!("p-{:03}", i + 1),
            name: name.full,
            email: Some(format!("{}@example.com", name.handle)),
            hire_date,
            termination_date: None,
            pay_currency: None,
        });
        i
    }

    fn position(
        &mut self,
        id: String,
        title: &str,
        role: Role,
        region: Option<&Region>,
        reports_to: Option<usize>,
        from: Date,
    ) -> usize {
        let team = match (role, region) {
            (Role::SalesEngineer, _) => Some("Solutions Engineering".to_string()),
            (_, Some(r)) => Some(format!("{} Sales", r.name)),
            (_, None) => Some("Sales Leadership".to_string()),
        };
        self.org.positions.push(Position {
            id,
            validity: Validity::open_from(from),
            title: title.to_string(),
            role,
            team,
            region: region.map(|r| r.name.to_string()),
            reports_to: reports_to.map(|p| self.org.positions[p].id.clone()),
        });
        self.org.holders.push(Vec::new());
        self.org.positions.len() - 1
    }

    /// Puts `person` in `position` from `from`, open-ended; returns the assignment's index.
    fn assign(&mut self, person: usize, position: usize, from: Date) -> usize {
        let i = self.org.assignments.len();
        self.org.assignments.push(Assignment {
            id: format!("asg-{:03}", i + 1),
            person_id: self.org.people[person].id.clone(),
            position_id: self.org.positions[position].id.clone(),
            validity: Validity::open_from(from),
        });
        self.links.push((person, position));
        i
    }

    /// A staffed seat hired before the window, owning a fresh patch.
    fn rep_seat(&mut self, region: usize, number: usize, hired_by: Date) -> usize {
        let r = &REGIONS[region];
        let manager = self.org.managers[region];
        let id = format!("pos-{}-rep-{number}", r.slug);
        let position =
            self.position(id, "Account Executive", Role::Rep, Some(r), Some(manager), self.org.since);
        let hired = self.dice.day(self.org.since, hired_by);
        let person = self.hire(hired);
        self.assign(person, position, hired);
        self.org
            .patches
            .push(Patch { region, owners: vec![(Validity::open_from(self.org.since), position)] });
        position
    }

    /// A day in the middle of a quarter (never its first or last weeks), on a weekday.
    fn mid_quarter(&mut self, year: i16, quarter: i8) -> Date {
        weekday_on_or_after(add_days(quarter_start(year, quarter), self.dice.between(30, 58)))
    }

    fn end_assignment(&mut self, assignment: usize, on: Date) {
        let a = &mut self.org.assignments[assignment];
        a.validity = validity(a.validity.from, Some(on));
    }

    /// Hands `patch` to `position` from `on`, ending its current owner's range there.
    fn reassign_patch(&mut self, patch: usize, on: Date, position: usize) {
        let owners = &mut self.org.patches[patch].owners;
        if let Some(last) = owners.last_mut() {
            last.0 = validity(last.0.from, Some(on));
        }
        owners.push((Validity::open_from(on), position));
    }

    /// A new seat opening on `on`; its patch was the manager's house accounts until then.
    fn new_seat(&mut self, region: usize, number: usize, on: Date) -> usize {
        let r = &REGIONS[region];
        let manager = self.org.managers[region];
        let id = format!("pos-{}-rep-{number}", r.slug);
        let position = self.position(id, "Account Executive", Role::Rep, Some(r), Some(manager), on);
        self.org.patches.push(Patch { region, owners: vec![(Validity::open_from(self.org.since), manager)] });
        let patch = self.org.patches.len() - 1;
        self.reassign_patch(patch, on, position);
        position
    }
}

pub(crate) fn build(seed: u64, window: &Window, scale: usize) -> Org {
    let y0 = window.first_year();
    let since = date(y0 - 5, 1, 1);
    let mut b = Builder {
        org: Org {
            people: Vec::new(),
            positions: Vec::new(),
            assignments: Vec::new(),
            holders: Vec::new(),
            vp: 0,
            managers: Vec::new(),
            patches: Vec::new(),
            sales_engineers: Vec::new(),
            since,
        },
        dice: Dice::new(seed, Stream::Org),
        links: Vec::new(),
    };
    let long_ago = date(y0 - 3, 12, 31);
    let settled = add_days(window.start, -90);

    let vp = b.position("pos-vp".into(), "VP of Sales", Role::Executive, None, None, since);
    let hired = b.dice.day(since, long_ago);
    let person = b.hire(hired);
    b.assign(person, vp, hired);
    b.org.vp = vp;

    for region in &REGIONS {
        let id = format!("pos-{}-mgr", region.slug);
        let manager = b.position(id, "Regional Sales Manager", Role::Manager, Some(region), Some(vp), since);
        let hired = b.dice.day(since, long_ago);
        let person = b.hire(hired);
        b.assign(person, manager, hired);
        b.org.managers.push(manager);
    }

    for n in 1..=2 * scale {
        let id = format!("pos-se-{n}");
        let position = b.position(id, "Sales Engineer", Role::SalesEngineer, None, Some(vp), since);
        let hired = b.dice.day(since, settled);
        let person = b.hire(hired);
        b.assign(person, position, hired);
        b.org.sales_engineers.push(person);
    }

    let seats = REPS_PER_BLOCK * scale;
    // Per region, the position, patch and assignment of each original seat, by seat number - 1.
    let mut seat_patch = vec![Vec::new(); REGIONS.len()];
    let mut seat_position = vec![Vec::new(); REGIONS.len()];
    let mut seat_assignment = vec![Vec::new(); REGIONS.len()];
    for region in 0..REGIONS.len() {
        for number in 1..=seats {
            let position = b.rep_seat(region, number, settled);
            seat_patch[region].push(b.org.patches.len() - 1);
            seat_position[region].push(position);
            seat_assignment[region].push(b.org.assignments.len() - 1);
        }
    }

    for block in 0..scale {
        let first = block * REPS_PER_BLOCK;

        // A departure: the seat stays; the manager covers its patch until the replacement starts.
        let leaving = first + 4;
        let left = b.mid_quarter(y0, 3);
        let replaced = weekday_on_or_after(add_days(left, b.dice.between(35, 63)));
        let assignment = seat_assignment[EAST][leaving];
        let person = b.links[assignment].0;
        b.org.people[person].termination_date = Some(left);
        b.end_assignment(assignment, left);
        let patch = seat_patch[EAST][leaving];
        b.reassign_patch(patch, left, b.org.managers[EAST]);
        b.reassign_patch(patch, replaced, seat_position[EAST][leaving]);
        let newcomer = b.hire(replaced);
        b.assign(newcomer, seat_position[EAST][leaving], replaced);

        // Growth: a new Central seat, filled by a new hire on its first day.
        let opened = b.mid_quarter(y0 + 1, 1);
        let position = b.new_seat(CENTRAL, seats + block + 1, opened);
        let newcomer = b.hire(opened);
        b.assign(newcomer, position, opened);

        // A move: a Central rep takes a new West seat mid-quarter; a teammate inherits the
        // patch and the old seat closes.
        let moving = first + 1;
        let moved = b.mid_quarter(y0 + 1, 3);
        let assignment = seat_assignment[CENTRAL][moving];
        let mover = b.links[assignment].0;
        b.end_assignment(assignment, moved);
        let old_seat = seat_position[CENTRAL][moving];
        let p = &mut b.org.positions[old_seat];
        p.validity = validity(p.validity.from, Some(moved));
        b.reassign_patch(seat_patch[CENTRAL][moving], moved, seat_position[CENTRAL][first]);
        let position = b.new_seat(WEST, seats + block + 1, moved);
        b.assign(mover, position, moved);
    }

    for (assignment, (person, position)) in b.org.assignments.iter().zip(&b.links) {
        b.org.holders[*position].push((assignment.validity, *person));
    }
    b.org
}
