import { describe, expect, it } from 'vitest';
import { cardinal, clockTime, decimal, integerWords, LABEL_CHARS, money, normalize, normalizeLabel, ordinal, year } from '../../../tools/corpus/normalize.js';

describe('number words', () => {
  it.each([
    ['0', 'zero'],
    ['7', 'seven'],
    ['13', 'thirteen'],
    ['40', 'forty'],
    ['99', 'ninety nine'],
    ['100', 'one hundred'],
    ['101', 'one hundred one'],
    ['1000', 'one thousand'],
    ['1234', 'one thousand two hundred thirty four'],
    ['20000', 'twenty thousand'],
    ['1000001', 'one million one'],
    ['3000000000', 'three billion'],
  ])('cardinal(%s)', (n, w) => expect(cardinal(n)).toBe(w));

  it.each([
    [1, 'first'], [2, 'second'], [3, 'third'], [4, 'fourth'], [5, 'fifth'], [8, 'eighth'], [9, 'ninth'],
    [12, 'twelfth'], [20, 'twentieth'], [21, 'twenty first'], [42, 'forty second'], [100, 'one hundredth'], [103, 'one hundred third'],
  ])('ordinal(%s)', (n, w) => expect(ordinal(n)).toBe(w));

  it.each([
    [1984, 'nineteen eighty four'], [1905, 'nineteen oh five'], [1900, 'nineteen hundred'], [2000, 'two thousand'],
    [2007, 'two thousand seven'], [2010, 'twenty ten'], [2024, 'twenty twenty four'], [1066, 'ten sixty six'],
  ])('year(%s)', (n, w) => expect(year(n)).toBe(w));

  it('decimal', () => {
    expect(decimal('3.14')).toBe('three point one four');
    expect(decimal('.5')).toBe('zero point five');
    expect(decimal('12')).toBe('twelve');
  });

  it('money', () => {
    expect(money('$', '4', '50')).toBe('four dollars and fifty cents');
    expect(money('$', '1')).toBe('one dollar');
    expect(money('$', '0', '99')).toBe('ninety nine cents');
    expect(money('$', '1', '01')).toBe('one dollar and one cent');
    expect(money('$', '2', '5')).toBe('two dollars and fifty cents');
    expect(money('$', '1,200')).toBe('one thousand two hundred dollars');
    expect(money('$', '2', '5', 'million')).toBe('two point five million dollars');
    expect(money('£', '3', '20')).toBe('three pounds and twenty pence');
    expect(() => money('¥', '3')).toThrow(/unknown currency symbol/);
  });

  it('clock times', () => {
    expect(clockTime(3, 30)).toBe('three thirty');
    expect(clockTime(3, 5)).toBe('three oh five');
    expect(clockTime(3, 0)).toBe("three o'clock");
    expect(clockTime(14, 0)).toBe('fourteen hundred');
    expect(clockTime(7, 45, 'pm')).toBe('seven forty five p m');
    expect(clockTime(9, 0, 'am')).toBe('nine a m');
  });

  it('rejects what it cannot read', () => {
    expect(() => cardinal('12a')).toThrow(RangeError);
  });

  it('integerWords: a cardinal up to 15 digits, longer numbers digit by digit', () => {
    expect(integerWords('999999999999999')).toBe(cardinal('999999999999999'));
    expect(integerWords('0042')).toBe('forty two');
    expect(integerWords('1234567890123456')).toBe('one two three four five six seven eight nine zero one two three four five six');
  });
});

describe('normalize: numbers longer than 15 digits are read digit by digit wherever they appear', () => {
  // These threw RangeError("cardinal: expected 1 to 15 digits") from inside normalize, ending a corpus build.
  it.each([
    ['card 1,234,567,890,123,456 ok', 'card one two three four five six seven eight nine zero one two three four five six ok'],
    ['$12,345,678,901,234,567', 'one two three four five six seven eight nine zero one two three four five six seven dollars'],
    ['$10000000000000000.50', 'one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero dollars and fifty cents'],
    ['1234567890123456.5 percent', 'one two three four five six seven eight nine zero one two three four five six point five percent'],
    ['1234567890123456 kg', 'one two three four five six seven eight nine zero one two three four five six kilograms'],
  ])('%s', (text, label) => expect(normalize(text)?.label).toBe(label));
});

describe('normalize', () => {
  const cases: [string, string][] = [
    ['Dr. Smith paid $4.50 at 3:30.', 'doctor smith paid four dollars and fifty cents at three thirty'],
    ['Mr. and Mrs. Jones live on Elm St. near St. Mary\'s.', "mister and missus jones live on elm street near saint mary's"],
    ['It costs $12,000, or about 40% more.', 'it costs twelve thousand dollars or about forty percent more'],
    ['The 21st of May, 1987.', 'the twenty first of may nineteen eighty seven'],
    ['She won 1st, 2nd and 3rd prize!', 'she won first second and third prize'],
    ['Apples & oranges, e.g. fruit, vs. cake, etc.', 'apples and oranges for example fruit versus cake et cetera'],
    ['Meet me at 7 p.m. sharp', 'meet me at seven p m sharp'],
    ['The train leaves at 10:05am.', 'the train leaves at ten oh five a m'],
    ['Add 2 1/2 cups of flour and 3/4 cup of sugar.', 'add two and a half cups of flour and three quarters cup of sugar'],
    ['Pi is about 3.14159.', 'pi is about three point one four one five nine'],
    ['Temperatures of -5 degrees', 'temperatures of minus five degrees'],
    ['Ages 10-12 only', 'ages ten to twelve only'],
    ['Music of the 1960s and the \'80s', 'music of the nineteen sixties and the eighties'],
    ['Email me @ home + call', 'email me at home plus call'],
    ['Room No. 5, agent 007', 'room number five agent zero zero seven'],
    ['A well-known "quote" -- really...', 'a well known quote really'],
    ['\u201cDon\u2019t panic,\u201d she said.', "don't panic she said"],
    ['It was 6 ft tall and weighed 200lbs.', 'it was six feet tall and weighed two hundred pounds'],
    ['The company lost $2.5 million in 2008.', 'the company lost two point five million dollars in two thousand eight'],
    ["The dogs' bowls were 'empty'.", 'the dogs bowls were empty'],
  ];
  it.each(cases)('%s', (raw, label) => {
    expect(normalizeLabel(raw)).toBe(label);
  });

  it('keeps only label characters', () => {
    for (const [raw] of cases) {
      const label = normalizeLabel(raw)!;
      for (const ch of label) expect(LABEL_CHARS).toContain(ch);
      expect(label).not.toMatch(/^ | $| {2}/);
    }
  });

  it.each([
    'He moved 1. e4 e5 2. Nf3 Nc6', // chess notation keeps a dot-number pattern and leftovers
    'Use C:\\temp\\file.txt',
    'print $x{foo};',
    'Caf\u00e9 au lait',
    'A < B > C',
    'Take 3/7 of it',
  ])('rejects %s', (raw) => {
    expect(normalize(raw)).toBeNull();
  });

  it('gives the synthesizers punctuation and says a.m. as letters', () => {
    expect(normalize('Wake me at 6 am, please?')!.spoken).toBe('wake me at six A.M., please?');
    expect(normalize('Hello there')!.spoken).toBe('hello there.');
  });
});
