/**
 * A seeded generator of everyday English sentences: statements in several tenses, questions,
 * requests and commands, descriptions, and sentences full of numbers (prices, times, dates,
 * quantities, percentages), over a hand-curated everyday vocabulary. Output is raw text with
 * digits and symbols ("$4.50", "7:45 pm", "21st") so that it goes through the same normaliser
 * as every other source.
 */
import { Rng } from '../../src/core/rng.js';

// ---------------------------------------------------------------- vocabulary

interface Subject {
  text: string;
  /** 1 = I, 2 = you, 3 = he/she/it/name, 4 = we/they/plural noun. */
  kind: 1 | 2 | 3 | 4;
  /** Object form of a pronoun ("me", "him"); the text itself for nouns. */
  obj: string;
}

const PRONOUNS: Subject[] = [
  { text: 'I', kind: 1, obj: 'me' }, { text: 'you', kind: 2, obj: 'you' }, { text: 'he', kind: 3, obj: 'him' },
  { text: 'she', kind: 3, obj: 'her' }, { text: 'we', kind: 4, obj: 'us' }, { text: 'they', kind: 4, obj: 'them' },
];

const NAMES = [
  'Anna', 'Ben', 'Carlos', 'Diana', 'Emma', 'Frank', 'Grace', 'Henry', 'Isabel', 'Jack', 'Karen', 'Leo', 'Maria', 'Nina',
  'Oliver', 'Paul', 'Rachel', 'Sam', 'Sarah', 'Tom', 'Victor', 'Wendy', 'Alice', 'Brian', 'Chloe', 'David', 'Ella', 'George',
  'Hannah', 'Ian', 'Julia', 'Kevin', 'Laura', 'Mike', 'Nora', 'Peter', 'Rosa', 'Steve', 'Tina', 'Walter', 'Amy', 'Daniel',
  'Helen', 'James', 'Kate', 'Lucy', 'Mark', 'Olivia', 'Robert', 'Sophie', 'Lisa', 'Eric', 'Martha', 'Joe', 'Linda', 'Chris',
];

const SINGULAR_PEOPLE = [
  'my brother', 'my sister', 'my mother', 'my father', 'my friend', 'my boss', 'my neighbor', 'my grandmother', 'my uncle',
  'my aunt', 'my cousin', 'my roommate', 'our teacher', 'the doctor', 'the new manager', 'the driver', 'the waiter',
  'the nurse', 'the old man', 'the little girl', 'the young woman', 'the mailman', 'the baker', 'the police officer',
  'your son', 'your daughter', 'his wife', 'her husband', 'the baby', 'the coach', 'the librarian', 'the plumber',
  'the farmer', 'our guest', 'the student', 'the pilot', 'the cashier', 'the landlord', 'the mechanic', 'everyone',
];

const PLURAL_PEOPLE = [
  'my parents', 'the kids', 'our neighbors', 'the students', 'my friends', 'the children', 'the workers', 'the players',
  'the guests', 'my grandparents', 'the twins', 'the teachers', 'most people', 'the tourists', 'the nurses', 'our cousins',
];

interface Verb {
  base: string;
  s: string;
  past: string;
  pp: string;
  ing: string;
  /** Which complement follows: an object category, a prepositional place, or nothing. */
  comp: Comp;
}

type Comp = 'food' | 'drink' | 'thing' | 'doc' | 'person' | 'dest' | 'room' | 'game' | 'show' | 'none' | 'vehicle' | 'topic';

function v(base: string, s: string, past: string, pp: string, ing: string, comp: Comp): Verb {
  return { base, s, past, pp, ing, comp };
}
/** A regular verb. */
function rv(base: string, comp: Comp): Verb {
  const s = /(s|sh|ch|x|z|o)$/.test(base) ? `${base}es` : /[^aeiou]y$/.test(base) ? `${base.slice(0, -1)}ies` : `${base}s`;
  let past: string;
  let ing: string;
  if (base.endsWith('e')) {
    past = `${base}d`;
    ing = `${base.slice(0, -1)}ing`;
  } else if (/[^aeiou]y$/.test(base)) {
    past = `${base.slice(0, -1)}ied`;
    ing = `${base}ing`;
  } else if (/^(stop|plan|shop|drop|jog|chat|hug|mop|grab|hop)$/.test(base)) {
    past = `${base}${base.slice(-1)}ed`;
    ing = `${base}${base.slice(-1)}ing`;
  } else {
    past = `${base}ed`;
    ing = `${base}ing`;
  }
  return { base, s, past, pp: past, ing, comp };
}

const VERBS: Verb[] = [
  v('eat', 'eats', 'ate', 'eaten', 'eating', 'food'), v('make', 'makes', 'made', 'made', 'making', 'food'),
  rv('cook', 'food'), rv('order', 'food'), v('buy', 'buys', 'bought', 'bought', 'buying', 'food'), rv('share', 'food'),
  v('bring', 'brings', 'brought', 'brought', 'bringing', 'food'), rv('want', 'food'), rv('bake', 'food'),
  v('drink', 'drinks', 'drank', 'drunk', 'drinking', 'drink'), rv('pour', 'drink'), rv('finish', 'drink'),
  v('buy', 'buys', 'bought', 'bought', 'buying', 'thing'), v('sell', 'sells', 'sold', 'sold', 'selling', 'thing'),
  v('find', 'finds', 'found', 'found', 'finding', 'thing'), v('lose', 'loses', 'lost', 'lost', 'losing', 'thing'),
  rv('need', 'thing'), rv('borrow', 'thing'), rv('fix', 'thing'), rv('clean', 'thing'), rv('carry', 'thing'),
  rv('open', 'thing'), rv('close', 'thing'), rv('paint', 'thing'), rv('move', 'thing'), rv('wash', 'thing'),
  rv('return', 'thing'), rv('check', 'thing'), v('forget', 'forgets', 'forgot', 'forgotten', 'forgetting', 'thing'),
  rv('drop', 'thing'), rv('pack', 'thing'), rv('use', 'thing'), v('hold', 'holds', 'held', 'held', 'holding', 'thing'),
  v('read', 'reads', 'read', 'read', 'reading', 'doc'), v('write', 'writes', 'wrote', 'written', 'writing', 'doc'),
  v('send', 'sends', 'sent', 'sent', 'sending', 'doc'), rv('print', 'doc'), rv('sign', 'doc'), rv('finish', 'doc'),
  rv('answer', 'doc'), rv('copy', 'doc'), rv('delete', 'doc'),
  v('meet', 'meets', 'met', 'met', 'meeting', 'person'), rv('call', 'person'), rv('help', 'person'), rv('visit', 'person'),
  rv('thank', 'person'), rv('ask', 'person'), v('tell', 'tells', 'told', 'told', 'telling', 'person'), rv('invite', 'person'),
  rv('miss', 'person'), rv('text', 'person'), rv('wait', 'none'), rv('follow', 'person'),
  v('go', 'goes', 'went', 'gone', 'going', 'dest'), rv('walk', 'dest'), v('drive', 'drives', 'drove', 'driven', 'driving', 'dest'),
  v('run', 'runs', 'ran', 'run', 'running', 'dest'), rv('travel', 'dest'), v('come', 'comes', 'came', 'come', 'coming', 'dest'),
  v('ride', 'rides', 'rode', 'ridden', 'riding', 'dest'), rv('hurry', 'dest'), rv('move', 'dest'), rv('return', 'dest'),
  rv('clean', 'room'), rv('paint', 'room'), v('leave', 'leaves', 'left', 'left', 'leaving', 'room'), rv('enter', 'room'),
  rv('play', 'game'), rv('practice', 'game'), v('win', 'wins', 'won', 'won', 'winning', 'game'), rv('watch', 'show'),
  v('see', 'sees', 'saw', 'seen', 'seeing', 'show'), rv('enjoy', 'show'), rv('record', 'show'), rv('miss', 'show'),
  rv('park', 'vehicle'), rv('wash', 'vehicle'), rv('repair', 'vehicle'), rv('rent', 'vehicle'), rv('borrow', 'vehicle'),
  rv('talk', 'topic'), rv('learn', 'topic'), v('think', 'thinks', 'thought', 'thought', 'thinking', 'topic'), rv('worry', 'topic'),
  v('sleep', 'sleeps', 'slept', 'slept', 'sleeping', 'none'), rv('work', 'none'), rv('laugh', 'none'), rv('cry', 'none'),
  rv('relax', 'none'), rv('rest', 'none'), rv('arrive', 'none'), rv('stay', 'none'), rv('smile', 'none'),
  v('swim', 'swims', 'swam', 'swum', 'swimming', 'none'), rv('study', 'none'), rv('exercise', 'none'), rv('shop', 'none'),
];

const FOODS = [
  'an apple', 'a sandwich', 'some soup', 'a pizza', 'the salad', 'some bread', 'a banana', 'the cake', 'some rice',
  'the pasta', 'a bowl of cereal', 'some cookies', 'the chicken', 'a piece of pie', 'some eggs', 'the pancakes',
  'a hamburger', 'some cheese', 'the vegetables', 'some fresh fruit', 'the leftovers', 'a muffin', 'some potatoes',
  'the fish', 'a bag of chips', 'some chocolate', 'the steak', 'a taco', 'some noodles', 'the strawberries', 'an orange',
  'a bagel', 'some toast', 'the carrots', 'some grapes', 'a cupcake', 'the sausages', 'some beans', 'the onion soup',
];
const DRINKS = [
  'a cup of coffee', 'some tea', 'a glass of water', 'the orange juice', 'some milk', 'a cold drink', 'hot chocolate',
  'a bottle of water', 'some lemonade', 'the apple juice', 'a cup of green tea', 'the soda', 'a glass of milk',
];
const THINGS = [
  'the keys', 'my phone', 'an umbrella', 'the blue jacket', 'a new lamp', 'the chair', 'my glasses', 'the remote',
  'a backpack', 'the window', 'the door', 'the box', 'a flashlight', 'the ladder', 'my wallet', 'the camera', 'a towel',
  'the blanket', 'the tickets', 'a hammer', 'the charger', 'my shoes', 'the mirror', 'a pair of socks', 'the dishes',
  'the laptop', 'a pillow', 'the suitcase', 'the map', 'a watch', 'the fridge', 'the heater', 'my coat', 'the bucket',
  'a pencil', 'the scissors', 'a notebook', 'the gloves', 'the printer', 'a basket', 'the plates', 'the curtains',
  'the bicycle helmet', 'a candle', 'the clock', 'my hat', 'the toolbox', 'a bottle', 'the table', 'the boots',
];
const SMALL_THINGS = [
  'the keys', 'my phone', 'my glasses', 'the remote', 'my wallet', 'the camera', 'the tickets', 'the charger', 'a pencil',
  'the scissors', 'a notebook', 'the gloves', 'a candle', 'my hat', 'the letter', 'the cups', 'the spoons', 'your book',
];
const FAVORITES: [string, string[]][] = [
  ['color', ['blue', 'green', 'red', 'yellow', 'purple', 'orange', 'black', 'white', 'pink', 'brown']],
  ['season', ['summer', 'winter', 'spring', 'the fall', 'autumn']],
  ['food', ['pizza', 'soup', 'rice', 'pasta', 'chicken', 'fish', 'ice cream', 'cheese', 'salad', 'chocolate cake']],
  ['sport', ['tennis', 'soccer', 'baseball', 'basketball', 'golf', 'swimming', 'hockey', 'running']],
  ['subject', ['math', 'history', 'science', 'music', 'art', 'English', 'geography', 'biology']],
  ['day', ['Friday', 'Saturday', 'Sunday', 'Monday', 'Wednesday']],
  ['animal', ['the dog', 'the cat', 'the horse', 'the elephant', 'the owl', 'the rabbit', 'the dolphin', 'the tiger']],
  ['holiday', ['New Year', 'Thanksgiving', 'Christmas', 'Halloween', 'the Fourth of July', 'Easter']],
  ['drink', ['coffee', 'tea', 'lemonade', 'orange juice', 'milk', 'hot chocolate', 'water']],
];
const DOCS = [
  'the letter', 'an email', 'the report', 'a note', 'the book', 'the newspaper', 'the contract', 'a postcard',
  'the message', 'the form', 'the recipe', 'a story', 'the menu', 'the instructions', 'the invitation', 'the list',
  'the bill', 'a poem', 'the schedule', 'the article', 'the receipt', 'a birthday card', 'the magazine', 'the textbook',
];
const DESTS = [
  'to the store', 'to work', 'to school', 'home', 'to the park', 'to the beach', 'to the library', 'to the airport',
  'to the station', 'to the bank', 'to the hospital', 'to the market', 'to the gym', 'to the office', 'downtown',
  'to the post office', 'to the mall', 'to the museum', 'to the zoo', 'to the lake', 'to the city', 'to the bakery',
  'to the dentist', 'to the farm', 'to the river', 'to the pharmacy', 'to the restaurant', 'to the hotel', 'to church',
  'to the mountains', 'to the village', 'to the stadium', 'to the garden', 'upstairs', 'outside', 'across the street',
];
const ROOMS = ['the kitchen', 'the garage', 'the bathroom', 'the living room', 'the bedroom', 'the office', 'the basement', 'the hallway', 'the classroom', 'the attic'];
const GAMES = ['soccer', 'chess', 'the piano', 'tennis', 'cards', 'basketball', 'the guitar', 'baseball', 'a board game', 'the violin', 'golf', 'volleyball', 'the drums', 'video games'];
const SHOWS = ['a movie', 'the game', 'the news', 'a play', 'the concert', 'the parade', 'a cartoon', 'the sunset', 'the fireworks', 'the match', 'the show', 'a documentary', 'the race'];
const VEHICLES = ['the car', 'a truck', 'the van', 'the bike', 'the boat', 'a motorcycle', 'the bus', 'a scooter'];
const TOPICS = ['about the weather', 'about the trip', 'about money', 'about the future', 'about dinner', 'about the test', 'about the new job', 'about the garden', 'about our plans', 'about the movie', 'about the election', 'about school'];

const PLACES = [
  'at the store', 'in the kitchen', 'at home', 'at work', 'in the park', 'near the station', 'at the office', 'in the garden',
  'at the library', 'on the bus', 'in the car', 'at school', 'on the train', 'at the beach', 'downtown', 'at the hotel',
  'at the airport', 'in the city', 'by the river', 'at the restaurant', 'at the market', 'upstairs', 'in the yard',
  'at the gym', 'at the party', 'in the hallway', 'on the porch', 'at the corner', 'in town', 'at the hospital',
];

const PAST_TIMES = [
  'yesterday', 'last night', 'last week', 'this morning', 'on Monday', 'on Saturday', 'two days ago', 'a few minutes ago',
  'earlier today', 'last summer', 'last year', 'on Sunday afternoon', 'an hour ago', 'last weekend', 'after lunch',
  'before breakfast', 'on Tuesday', 'last month', 'a long time ago', 'this afternoon', 'on Friday night', 'in the morning',
];
const FUTURE_TIMES = [
  'tomorrow', 'next week', 'later today', 'on Friday', 'tonight', 'this weekend', 'next month', 'soon', 'in an hour',
  'next year', 'on Wednesday', 'tomorrow morning', 'after dinner', 'before noon', 'next summer', 'in a few minutes',
  'on Thursday', 'this evening', 'next Monday', 'in two weeks', 'after work', 'right after school',
];
const HABIT_TIMES = [
  'every day', 'every morning', 'on weekends', 'twice a week', 'every evening', 'on Sundays', 'once a month', 'in the summer',
  'every night', 'after school', 'before work', 'most days', 'during the week', 'in the winter', 'every Friday',
];
const NOW_TIMES = ['right now', 'at the moment', 'today', 'this week', 'this evening', 'now', 'these days'];
const PERFECT_TIMES = ['already', 'just', 'this year', 'recently', 'since Monday', 'before', 'twice this week', 'many times'];

const ADJECTIVES = [
  'big', 'small', 'old', 'new', 'cheap', 'expensive', 'heavy', 'light', 'clean', 'dirty', 'broken', 'quiet', 'noisy',
  'warm', 'cold', 'beautiful', 'strange', 'comfortable', 'crowded', 'empty', 'bright', 'dark', 'soft', 'hard', 'wet',
  'dry', 'simple', 'busy', 'ready', 'perfect', 'ugly', 'fresh', 'delicious', 'boring', 'useful', 'safe', 'dangerous',
  'full', 'open', 'closed', 'early', 'late', 'long', 'short', 'wide', 'narrow', 'tall', 'strong', 'sharp', 'smooth',
];
const FEELINGS = [
  'tired', 'happy', 'hungry', 'worried', 'excited', 'sleepy', 'nervous', 'bored', 'busy', 'sick', 'angry', 'proud',
  'surprised', 'sad', 'calm', 'thirsty', 'cold', 'lonely', 'confused', 'ready', 'upset', 'relaxed', 'scared', 'grateful',
];
const ADVERBS = ['quickly', 'slowly', 'carefully', 'quietly', 'again', 'together', 'alone', 'early', 'late', 'by hand', 'on purpose', 'by mistake'];
const WEATHER = [
  'sunny', 'cloudy', 'windy', 'rainy', 'foggy', 'cold', 'warm', 'hot', 'freezing', 'humid', 'snowing', 'raining', 'clear', 'stormy',
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const COUNTABLE = [
  ['egg', 'eggs'], ['apple', 'apples'], ['chair', 'chairs'], ['ticket', 'tickets'], ['book', 'books'], ['box', 'boxes'],
  ['student', 'students'], ['car', 'cars'], ['page', 'pages'], ['bottle', 'bottles'], ['room', 'rooms'], ['bag', 'bags'],
  ['cookie', 'cookies'], ['table', 'tables'], ['person', 'people'], ['child', 'children'], ['dog', 'dogs'], ['house', 'houses'],
  ['minute', 'minutes'], ['mile', 'miles'], ['cup', 'cups'], ['photo', 'photos'], ['letter', 'letters'], ['plate', 'plates'],
  ['orange', 'oranges'], ['key', 'keys'], ['shirt', 'shirts'], ['candle', 'candles'], ['tree', 'trees'], ['window', 'windows'],
] as const;
const UNITS = ['cups of flour', 'spoons of sugar', 'pounds of potatoes', 'bottles of water', 'slices of bread', 'bags of rice', 'boxes of tea', 'cans of beans', 'liters of milk', 'pieces of cake'];

// ---------------------------------------------------------------- helpers

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function subject(r: Rng): Subject {
  const k = r.next();
  if (k < 0.45) return r.pick(PRONOUNS);
  if (k < 0.7) {
    const n = r.pick(NAMES);
    return { text: n, kind: 3, obj: n };
  }
  if (k < 0.9) {
    const n = r.pick(SINGULAR_PEOPLE);
    return { text: n, kind: 3, obj: n };
  }
  const n = r.pick(PLURAL_PEOPLE);
  return { text: n, kind: 4, obj: n };
}

function personObject(r: Rng, not?: Subject): string {
  for (;;) {
    const k = r.next();
    const o = k < 0.35 ? r.pick(PRONOUNS).obj : k < 0.7 ? r.pick(NAMES) : r.pick([...SINGULAR_PEOPLE, ...PLURAL_PEOPLE]);
    if (!not || o !== not.obj) return o === 'I' ? 'me' : o;
  }
}

function complement(r: Rng, verb: Verb, subj: Subject): string {
  switch (verb.comp) {
    case 'food': return r.pick(FOODS);
    case 'drink': return r.pick(DRINKS);
    case 'thing': return r.pick(THINGS);
    case 'doc': return r.pick(DOCS);
    case 'person': return verb.base === 'wait' ? `for ${personObject(r, subj)}` : personObject(r, subj);
    case 'dest': return r.pick(DESTS);
    case 'room': return r.pick(ROOMS);
    case 'game': return r.pick(GAMES);
    case 'show': return r.pick(SHOWS);
    case 'vehicle': return r.pick(VEHICLES);
    case 'topic': return r.pick(TOPICS);
    case 'none': return r.chance(0.3) ? r.pick(ADVERBS) : '';
  }
}

type Tense = 'present' | 'past' | 'future' | 'goingto' | 'progressive' | 'pastprog' | 'perfect' | 'modal';
const MODALS = ['can', 'should', 'might', 'must', 'could', 'would', 'may'];

function be(s: Subject, past: boolean): string {
  if (past) return s.kind === 1 || s.kind === 3 ? 'was' : 'were';
  return s.kind === 1 ? 'am' : s.kind === 3 ? 'is' : 'are';
}

function contract(subj: Subject, aux: string, r: Rng): string {
  // "I am" -> "I'm", "she will" -> "she'll" (pronoun subjects only, sometimes).
  const pron = PRONOUNS.some((p) => p.text === subj.text);
  if (!pron || !r.chance(0.4)) return `${subj.text} ${aux}`;
  const map: Record<string, string> = { am: "'m", is: "'s", are: "'re", will: "'ll", have: "'ve", has: "'s", would: "'d" };
  return map[aux] ? `${subj.text}${map[aux]}` : `${subj.text} ${aux}`;
}

function negate(aux: string, r: Rng): string {
  const full: Record<string, string> = {
    do: 'do not', does: 'does not', did: 'did not', will: 'will not', is: 'is not', are: 'are not', was: 'was not',
    were: 'were not', have: 'have not', has: 'has not', can: 'cannot', should: 'should not', must: 'must not',
    could: 'could not', would: 'would not', might: 'might not', may: 'may not', am: 'am not',
  };
  const short: Record<string, string> = {
    do: "don't", does: "doesn't", did: "didn't", will: "won't", is: "isn't", are: "aren't", was: "wasn't", were: "weren't",
    have: "haven't", has: "hasn't", can: "can't", should: "shouldn't", must: "mustn't", could: "couldn't", would: "wouldn't",
  };
  if (short[aux] && r.chance(0.6)) return short[aux]!;
  return full[aux] ?? `${aux} not`;
}

function timeFor(t: Tense, r: Rng): string {
  switch (t) {
    case 'past': case 'pastprog': return r.pick(PAST_TIMES);
    case 'future': case 'goingto': return r.pick(FUTURE_TIMES);
    case 'present': return r.pick(HABIT_TIMES);
    case 'progressive': return r.pick(NOW_TIMES);
    case 'perfect': return r.pick(PERFECT_TIMES);
    case 'modal': return r.pick([...FUTURE_TIMES, ...NOW_TIMES]);
  }
}

/** A declarative clause: subject + verb phrase in a tense, maybe negative, maybe with place and time. */
function clause(r: Rng, opts: { tense?: Tense; time?: boolean; subj?: Subject } = {}): string {
  const s = opts.subj ?? subject(r);
  const verb = r.pick(VERBS);
  const tense: Tense = opts.tense ?? r.weighted<Tense>([['present', 3], ['past', 4], ['future', 2], ['goingto', 1.5], ['progressive', 1.5], ['pastprog', 0.7], ['perfect', 1], ['modal', 2]]);
  const neg = r.chance(0.15);
  const comp = complement(r, verb, s);
  const third = s.kind === 3;
  let vp: string;
  switch (tense) {
    case 'present':
      vp = neg ? `${s.text} ${negate(third ? 'does' : 'do', r)} ${verb.base}` : `${s.text} ${third ? verb.s : verb.base}`;
      break;
    case 'past':
      vp = neg ? `${s.text} ${negate('did', r)} ${verb.base}` : `${s.text} ${verb.past}`;
      break;
    case 'future':
      vp = neg ? `${s.text} ${negate('will', r)} ${verb.base}` : `${contract(s, 'will', r)} ${verb.base}`;
      break;
    case 'goingto':
      vp = `${contract(s, be(s, false), r)}${neg ? ' not' : ''} going to ${verb.base}`;
      break;
    case 'progressive':
      vp = `${contract(s, be(s, false), r)}${neg ? ' not' : ''} ${verb.ing}`;
      break;
    case 'pastprog':
      vp = `${s.text} ${neg ? negate(be(s, true), r) : be(s, true)} ${verb.ing}`;
      break;
    case 'perfect': {
      const aux = third ? 'has' : 'have';
      vp = neg ? `${s.text} ${negate(aux, r)} ${verb.pp}` : `${contract(s, aux, r)} ${verb.pp}`;
      break;
    }
    case 'modal': {
      const m = r.pick(MODALS);
      vp = `${s.text} ${neg ? negate(m, r) : m} ${verb.base}`;
      break;
    }
  }
  const parts = [vp, comp];
  if (verb.comp !== 'dest' && verb.comp !== 'room' && r.chance(0.25)) parts.push(r.pick(PLACES));
  if (opts.time ?? r.chance(0.55)) {
    const tm = timeFor(tense, r);
    if (tm === 'already' || tm === 'just') parts[0] = vp.replace(/ (has|have|'s|'ve) /, ` $1 ${tm} `).replace(/(\w)'(ve|s) /, `$1'$2 ${tm} `);
    else parts.push(tm);
  }
  return parts.filter(Boolean).join(' ').replace(/\s+/g, ' ');
}

function money(r: Rng): string {
  const k = r.next();
  if (k < 0.4) return `$${r.int(1, 99)}`;
  if (k < 0.75) return `$${r.int(0, 59)}.${String(r.pick([0, 5, 10, 25, 49, 50, 75, 95, 99, r.int(1, 98)])).padStart(2, '0')}`;
  if (k < 0.9) return `$${r.int(1, 9)},${String(r.int(0, 19) * 50).padStart(3, '0')}`;
  return `$${r.int(1, 900)}`;
}

function clock(r: Rng): string {
  const h = r.int(1, 12);
  const m = r.pick(['00', '15', '30', '45', '05', '10', '20', '40', '50', String(r.int(10, 59))]);
  const k = r.next();
  if (k < 0.45) return `${h}:${m}`;
  if (k < 0.8) return `${h}:${m} ${r.pick(['am', 'pm', 'a.m.', 'p.m.'])}`;
  return `${h} ${r.pick(['am', 'pm', "o'clock"])}`;
}

function count(r: Rng): number {
  return r.weighted([[r.int(2, 12), 5], [r.int(13, 99), 3], [r.int(100, 999), 1.5], [r.int(1000, 50000), 0.5]]);
}

function plural(r: Rng, n: number): string {
  const [one, many] = r.pick(COUNTABLE);
  return n === 1 ? one : many;
}

// ---------------------------------------------------------------- sentence families

type Family = (r: Rng) => string;

const statement: Family = (r) => `${cap(clause(r))}.`;

const compound: Family = (r) => {
  const conj = r.pick(['because', 'but', 'so', 'and then', 'when', 'before', 'after', 'while', 'and', 'although', 'until']);
  const tense = r.pick<Tense>(['past', 'past', 'present', 'future', 'modal']);
  const t2: Tense = tense === 'future' ? 'present' : tense === 'modal' ? 'present' : tense;
  const a = clause(r, { tense, time: r.chance(0.3) });
  const b = clause(r, { tense: conj === 'when' || conj === 'before' || conj === 'after' || conj === 'until' ? t2 : tense, time: false });
  return `${cap(a)}${conj === 'but' || conj === 'so' ? ',' : ''} ${conj} ${b}.`;
};

const conditional: Family = (r) => {
  const cond = r.pick([
    'if it rains', 'if the bus is late', 'if you have time', 'if the store is open', 'if we leave early', 'if the weather is nice',
    'if she calls', 'if they win the game', 'if the price goes down', 'if I finish my work', 'unless the road is closed',
    'if the kids are hungry', 'if nobody answers the door', 'if the power goes out', 'if you feel better',
  ]);
  const c = clause(r, { tense: r.pick<Tense>(['future', 'modal', 'goingto']), time: false });
  return r.chance(0.5) ? `${cap(cond)} ${r.pick(FUTURE_TIMES)}, ${c}.` : `${cap(c)} ${cond}.`;
};

const yesNo: Family = (r) => {
  const s = subject(r);
  const verb = r.pick(VERBS);
  const comp = complement(r, verb, s);
  const aux = r.weighted<string>([['did', 4], ['do', 2], ['will', 2], ['can', 2], ['should', 1], ['could', 1.5], ['would', 1], ['have', 1]]);
  let a = aux;
  if (aux === 'do' && s.kind === 3) a = 'does';
  if (aux === 'have' && s.kind === 3) a = 'has';
  const subj = s.text === 'I' ? 'I' : s.text;
  const form = aux === 'have' ? `${verb.pp}` : verb.base;
  const ever = aux === 'have' && r.chance(0.5) ? ' ever' : '';
  const tm = aux === 'did' ? r.pick(PAST_TIMES) : aux === 'have' ? '' : r.chance(0.5) ? r.pick(FUTURE_TIMES) : '';
  return `${cap(a)} ${subj}${ever} ${form} ${comp}${tm ? ` ${tm}` : ''}?`.replace(/\s+/g, ' ').replace(' ?', '?');
};

const whQuestion: Family = (r) => {
  const s = subject(r);
  const verb = r.pick(VERBS);
  const comp = complement(r, verb, s);
  const third = s.kind === 3;
  const k = r.next();
  const w = r.pick(['Where', 'When', 'Why', 'How', 'How often', 'What time']);
  if (k < 0.4) return `${w} did ${s.text} ${verb.base} ${comp}?`.replace(/\s+/g, ' ').replace(' ?', '?');
  if (k < 0.6) return `${w} ${third ? 'does' : 'do'} ${s.text} ${verb.base} ${comp}?`.replace(/\s+/g, ' ').replace(' ?', '?');
  if (k < 0.8) return `${w} will ${s.text} ${verb.base} ${comp}?`.replace(/\s+/g, ' ').replace(' ?', '?');
  return `${r.pick(['Where', 'Why', 'How long'])} ${be(s, false)} ${s.text} ${verb.ing} ${comp}?`.replace(/\s+/g, ' ').replace(' ?', '?');
};

const fixedQuestion: Family = (r) => {
  const t = r.int(0, 13);
  switch (t) {
    case 0: return `What time does the ${r.pick(['store', 'bank', 'library', 'museum', 'pharmacy', 'post office', 'restaurant', 'gym', 'pool', 'market'])} ${r.pick(['open', 'close'])} on ${r.pick(DAYS)}?`;
    case 1: return `How much does ${r.pick([...FOODS, ...DRINKS, ...THINGS]).replace(/^(my|the) /, 'the ')} cost?`;
    case 2: return `How many ${r.pick(COUNTABLE)[1]} do we need for ${r.pick(['the party', 'dinner', 'the trip', 'the class', 'the weekend', 'the meeting'])}?`;
    case 3: return `Is there a ${r.pick(['bank', 'pharmacy', 'gas station', 'coffee shop', 'bus stop', 'hotel', 'grocery store', 'park', 'bakery'])} near ${r.pick(['here', 'the station', 'your house', 'the hotel', 'the school'])}?`;
    case 4: return `Have you seen ${r.pick(THINGS)} anywhere?`;
    case 5: return `Do you know where ${r.pick(THINGS)} ${r.pick(['is', 'went'])}?`.replace(/the (keys|tickets|dishes|scissors|gloves|plates|curtains|boots) is/, 'the $1 are').replace(/my (glasses|shoes) is/, 'my $1 are');
    case 6: return `What are you ${r.pick(['doing', 'cooking', 'reading', 'watching', 'planning'])} ${r.pick(FUTURE_TIMES.concat(NOW_TIMES))}?`;
    case 7: return `Who is going to ${r.pick(VERBS.filter((x) => x.comp !== 'none').map((x) => x.base))} ${r.pick(['it', 'them', 'this'])} ${r.pick(FUTURE_TIMES)}?`;
    case 8: return `Would you like ${r.pick([...FOODS, ...DRINKS]).replace(/^the /, 'some ')}${r.chance(0.5) ? ` ${r.pick(['before you go', 'with your lunch', 'for dessert', 'now'])}` : ''}?`;
    case 9: return `How was ${r.pick(['your day', 'the trip', 'the movie', 'the game', 'your weekend', 'the concert', 'the test', 'your flight', 'dinner', 'the party'])}?`;
    case 10: return `Are you ${r.pick(FEELINGS)}${r.chance(0.5) ? ` ${r.pick(NOW_TIMES)}` : ''}?`;
    case 11: return `Which ${r.pick(['bus', 'train', 'road', 'door', 'room', 'one', 'color', 'size', 'day'])} should ${r.pick(['we', 'I', 'they'])} ${r.pick(['take', 'choose', 'use', 'pick'])}?`;
    case 12: return `Can you tell me how to get ${r.pick(DESTS)}?`;
    default: return `Why ${r.pick(["didn't", "don't", "can't", "won't"])} you ${r.pick(['call', 'ask', 'tell', 'wait for', 'help'])} ${personObject(r)}?`;
  }
};

const command: Family = (r) => {
  const verb = r.pick(VERBS.filter((x) => x.comp !== 'none' && x.comp !== 'topic'));
  const comp = complement(r, verb, PRONOUNS[1]!);
  const t = r.int(0, 15);
  const tm = r.chance(0.4) ? ` ${r.pick(FUTURE_TIMES)}` : '';
  switch (t) {
    case 0: case 1: return `Please ${verb.base} ${comp}${tm}.`;
    case 2: return `Don't forget to ${verb.base} ${comp}${tm}.`;
    case 3: return `Remember to ${verb.base} ${comp}${tm}.`;
    case 4: return `Let's ${verb.base} ${comp}${tm}.`;
    case 5: return `Could you ${verb.base} ${comp}${tm}?`;
    case 6: return `${r.pick(['Turn', 'Go'])} ${r.pick(['left', 'right'])} at the ${r.pick(['next corner', 'traffic light', 'bank', 'church', 'second street', 'gas station', 'end of the road'])}.`;
    case 7: return `Set ${r.pick(['an alarm', 'a reminder'])} for ${clock(r)}${r.chance(0.5) ? ` ${r.pick(['tomorrow', 'on ' + r.pick(DAYS), 'tonight'])}` : ''}.`;
    case 8: return `Remind me to ${verb.base} ${comp} ${r.pick(['at ' + clock(r), ...FUTURE_TIMES])}.`;
    case 9: return `Add ${r.pick([...FOODS, ...DRINKS]).replace(/^(a|an|the|some) /, '')} to the shopping list.`;
    case 10: return `Put ${r.pick(SMALL_THINGS)} ${r.pick(['on the table', 'in the drawer', 'by the door', 'under the bed', 'in the car', 'on the shelf', 'next to the sink', 'in my bag'])}.`;
    case 11: return `Call ${r.pick(NAMES)} ${r.pick(['back', 'at home', 'at work', 'on the cell phone', 'at the office', 'after lunch'])}${tm}.`;
    case 12: return `Set a timer for ${r.int(2, 59)} minutes.`;
    case 13: return `Turn ${r.pick(['on', 'off', 'up', 'down'])} the ${r.pick(['lights', 'music', 'heat', 'radio', 'television', 'fan', 'oven', 'volume'])}${r.chance(0.4) ? ` in ${r.pick(ROOMS)}` : ''}, please.`;
    case 14: return `${r.pick(['Try not to', 'Never', 'Always', 'Be careful to'])} ${verb.base} ${comp} ${r.pick(PLACES)}.`;
    default: return `${r.pick(['Wait', "Don't move", 'Stop', 'Slow down', 'Sit down', 'Come here', 'Listen', 'Hurry up', 'Look out'])}, ${r.pick(['please', 'everyone', r.pick(NAMES), 'I think something is wrong', 'the water is still hot'])}.`;
  }
};

const describe: Family = (r) => {
  const t = r.int(0, 11);
  const noun = r.pick([...THINGS, ...DOCS, ...ROOMS, ...VEHICLES]);
  const adj = r.pick(ADJECTIVES);
  const pl = /^(the )?(keys|tickets|dishes|scissors|gloves|plates|curtains|boots|instructions)$|^my (glasses|shoes)$|^the (vegetables|strawberries|carrots|sausages|beans|leftovers|pancakes)$/.test(noun);
  const isv = pl ? 'are' : 'is';
  const n2 = noun.replace(/^(a|an) /, 'the ');
  switch (t) {
    case 0: return `${cap(n2)} ${isv} ${r.pick(['too', 'very', 'really', 'a little', 'quite', 'not very'])} ${adj}.`;
    case 1: return `${cap(n2)} ${pl ? 'were' : 'was'} ${adj} ${r.pick(PAST_TIMES)}.`;
    case 2: return `There ${isv} ${noun.replace(/^(the|my) /, pl ? 'some ' : 'a ')} ${r.pick(['on the table', 'in the car', 'under the bed', 'by the door', 'on the floor', 'in the closet', 'near the window'])}.`.replace(/ a (?=[aeiou])/, ' an ');
    case 3: return `It ${r.pick(['is', 'was', 'will be'])} ${r.pick(WEATHER.filter((w) => !w.endsWith('ing')))} ${r.pick(['today', 'this morning', 'all day', 'outside', 'in the city', 'this afternoon', 'tonight'])}.`;
    case 4: return `It's ${r.pick(['going to rain', 'starting to snow', 'getting dark', 'getting cold', 'going to be hot', 'too windy to go out'])} ${r.pick(['soon', 'this afternoon', 'tonight', 'later', 'now'])}.`;
    case 5: {
      const s = subject(r);
      return `${cap(contract(s, be(s, false), r))} ${r.pick(['very', 'so', 'a bit', 'really', 'not', 'always'])} ${r.pick(FEELINGS)} ${r.pick(NOW_TIMES)}.`;
    }
    case 6: {
      const s = subject(r);
      return `${cap(s.text)} ${s.kind === 3 ? r.pick(['seems', 'looks', 'feels', 'sounds']) : r.pick(['seem', 'look', 'feel'])} ${r.pick(FEELINGS)}${r.chance(0.5) ? ` ${r.pick(['today', 'tonight', 'lately', 'after the trip'])}` : ''}.`;
    }
    case 7: return `This ${r.pick(['is', 'was'])} the ${r.pick(['best', 'worst', 'nicest', 'strangest', 'easiest', 'hardest', 'longest', 'quietest'])} ${r.pick(['day', 'meal', 'trip', 'movie', 'game', 'party', 'week', 'class', 'summer', 'job'])} ${r.pick(['of my life', 'I can remember', 'we have had in years', 'so far', 'ever'])}.`;
    case 8: {
      const [what, answers] = r.pick(FAVORITES);
      return `${r.pick(['My', 'Her', 'His', 'Our', 'Your'])} ${r.pick(['favorite', 'least favorite'])} ${what} is ${r.pick(answers)}.`;
    }
    case 9: return `${cap(n2)} ${pl ? 'look' : 'looks'} ${adj} ${r.pick(['in this light', 'from here', 'to me', 'now', 'after the rain'])}.`;
    case 10: return `I ${r.pick(['like', 'love', "don't like", 'prefer', 'hate', 'really like', 'miss'])} ${r.pick([...GAMES, ...SHOWS, ...FOODS, ...DRINKS]).replace(/^(a|an|some) /, 'the ')} ${r.pick(['a lot', 'very much', 'in the summer', 'on weekends', 'after work', 'more than anything', 'sometimes'])}.`;
    default: return `What a ${r.pick(ADJECTIVES.filter((a) => !/^[aeiou]/.test(a)))} ${r.pick(['day', 'house', 'idea', 'surprise', 'dog', 'garden', 'view', 'trip', 'song', 'room'])}!`;
  }
};

const numbers: Family = (r) => {
  const t = r.int(0, 19);
  const n = count(r);
  switch (t) {
    case 0: return `${cap(r.pick([...FOODS, ...DRINKS, ...THINGS]).replace(/^(a|an|some|my) /, 'the '))} ${r.pick(['costs', 'cost', 'is', 'was'])} ${money(r)}.`.replace(/^(The (keys|tickets|dishes|scissors|gloves|plates|curtains|boots|vegetables|strawberries|carrots|sausages|beans|leftovers|pancakes|potatoes|grapes|cookies|eggs|noodles|chips|glasses|shoes)) (costs|is)/, (_m, a: string, _b: string, c: string) => `${a} ${c === 'is' ? 'are' : 'cost'}`);
    case 1: return `We need ${r.int(2, 12)} ${r.pick(UNITS)} for the ${r.pick(['cake', 'party', 'soup', 'week', 'bread', 'picnic'])}.`;
    case 2: return `The ${r.pick(['meeting', 'movie', 'class', 'game', 'concert', 'party', 'show', 'interview', 'lesson', 'dinner'])} ${r.pick(['starts', 'begins', 'ends', 'is'])} at ${clock(r)}.`;
    case 3: return `${cap(r.pick(['my appointment', 'the wedding', 'her birthday', 'the exam', 'the trip', 'our anniversary', 'the deadline', 'his party']))} is on the ${r.int(1, 31)}${['th', 'st', 'nd', 'rd'][0]} of ${r.pick(MONTHS)}.`.replace(/\b(1|21|31)th/, '$1st').replace(/\b(2|22)th/, '$1nd').replace(/\b(3|23)th/, '$1rd');
    case 4: return `${cap(r.pick([r.pick(NAMES), 'my mother', 'my father', 'she', 'he', 'my grandfather', 'the old teacher']))} was born in ${r.int(1925, 2020)}.`;
    case 5: return `The ${r.pick(['store', 'station', 'lake', 'school', 'hospital', 'beach', 'airport', 'hotel'])} is ${r.chance(0.5) ? `${r.int(1, 9)}.${r.int(1, 9)}` : r.int(2, 40)} miles ${r.pick(['away', 'from here', 'down the road', 'to the north'])}.`;
    case 6: return `About ${r.int(2, 19) * 5}% of the ${r.pick(['students', 'people', 'workers', 'players', 'voters', 'customers'])} ${r.pick(['said yes', 'stayed home', 'were late', 'passed the test', 'liked the idea', 'came back'])}.`;
    case 7: return `Room ${r.int(1, 9)}${r.int(0, 3)}${r.int(0, 9)} is on the ${['first', 'second', 'third', 'fourth', 'fifth'][r.int(0, 4)]} floor.`.replace(/\b(first|second|third|fourth|fifth) floor/, (_m, o: string) => `${r.chance(0.5) ? o : ['1st', '2nd', '3rd', '4th', '5th'][['first', 'second', 'third', 'fourth', 'fifth'].indexOf(o)]} floor`);
    case 8: return `It is ${r.int(-10, 105)} degrees ${r.pick(['outside', 'in here', 'today', 'in the shade', 'right now'])}.`;
    case 9: return `The ${r.pick(['flight', 'drive', 'trip', 'movie', 'train ride', 'hike'])} takes ${r.int(1, 11)} hours and ${r.int(2, 11) * 5} minutes.`;
    case 10: return `The ${r.pick(['game', 'match', 'final'])} ended ${r.int(0, 9)} to ${r.int(0, 9)}${r.chance(0.5) ? ` ${r.pick(PAST_TIMES)}` : ''}.`;
    case 11: return `There are ${n} ${plural(r, n)} in the ${r.pick(['room', 'box', 'building', 'garden', 'picture', 'parking lot', 'school', 'village', 'kitchen'])}.`;
    case 12: return `I ${r.pick(['paid', 'spent', 'saved', 'owe you', 'found', 'lost'])} ${money(r)} ${r.pick(['yesterday', 'for the tickets', 'on groceries', 'last week', 'at the market', 'for lunch', 'this month'])}.`;
    case 13: return `The ${r.pick(['bus', 'train', 'plane', 'ferry', 'next bus', 'last train'])} ${r.pick(['leaves', 'arrives', 'left', 'arrived', 'will leave'])} at ${clock(r)}.`;
    case 14: return `${cap(subject(r).text)} ${r.pick(['has', 'had', 'needs', 'wants', 'bought', 'counted', 'found'])} ${n} ${plural(r, n)}.`.replace(/^(I|You|We|They|My parents|The kids|Our neighbors|The students|My friends|The children|The workers|The players|The guests|My grandparents|The twins|The teachers|Most people|The tourists|The nurses|Our cousins) has /, '$1 have ').replace(/^(I|You|We|They|My parents|The kids|Our neighbors|The students|My friends|The children|The workers|The players|The guests|My grandparents|The twins|The teachers|Most people|The tourists|The nurses|Our cousins) (needs|wants) /, (_m, a: string, b: string) => `${a} ${b.slice(0, -1)} `);
    case 15: return `${cap(r.pick(['the population', 'the town', 'the school', 'the company', 'the team']))} ${r.pick(['grew', 'fell', 'dropped', 'went up'])} by ${r.chance(0.5) ? r.int(2, 60) : `${r.int(1, 9)}.${r.int(1, 9)}`} percent ${r.pick(['last year', 'in ' + r.int(1990, 2023), 'this year', 'over ten years'])}.`;
    case 16: return `${cap(r.pick(['she', 'he', r.pick(NAMES), 'my son', 'my daughter', 'the puppy', 'our cat']))} is ${r.int(2, 16)} ${r.pick(['years', 'months', 'weeks'])} old.`;
    case 17: return `${r.pick(['Only', 'About', 'More than', 'Nearly', 'Almost'])} ${n} people ${r.pick(['came to the show', 'live in the town', 'signed the letter', 'work here', 'watched the game', 'were at the meeting'])}.`;
    case 18: return `${cap(r.pick(['the store', 'the bank', 'the museum', 'the office', 'the pool', 'the library']))} ${r.pick(['opens', 'closes'])} at ${clock(r)} on ${r.pick(DAYS)}s.`;
    default: return `Chapter ${r.int(1, 40)} starts on page ${r.int(5, 480)}.`;
  }
};

const opinion: Family = (r) => {
  const lead = r.pick([
    'I think', 'I hope', "I'm sure", 'She said', 'He told me', 'Everyone knows', 'I heard', 'It seems', 'My friend says',
    "I don't think", 'I believe', 'I forgot', 'Maybe', 'Luckily', 'Sadly', 'To be honest', 'Of course', 'Unfortunately',
  ]);
  const c = clause(r, { time: r.chance(0.5) });
  const sep = /^(Maybe|Luckily|Sadly|To be honest|Of course|Unfortunately)$/.test(lead) ? ', ' : r.chance(0.3) ? ' that ' : ' ';
  return `${lead}${sep}${c}.`;
};

const FAMILIES: [Family, number][] = [
  [statement, 22], [compound, 8], [conditional, 3], [yesNo, 9], [whQuestion, 7], [fixedQuestion, 9],
  [command, 12], [describe, 11], [numbers, 12], [opinion, 4],
];

/**
 * One sentence, raw (before normalisation).
 * @example
 * generateSentence(new Rng(7)); // e.g. 'My sister bought a new lamp yesterday.'
 */
export function generateSentence(r: Rng): string {
  const f = r.weighted(FAMILIES);
  return f(r).replace(/\s+/g, ' ').replace(/\s+([.,?!])/g, '$1').replace(/\bI (?=[a-z]+ I\b)/, 'I ').trim();
}

/**
 * `n` raw sentences from a seed (duplicates possible; the caller dedupes after normalising).
 * @example
 * const raw = generateSentences(1, 1000);
 */
export function generateSentences(seed: number, n: number): string[] {
  const r = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(generateSentence(r));
  return out;
}
