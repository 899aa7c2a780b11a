import { describe, expect, it } from 'vitest';
import { DOCTOR_USAGE, parseDoctorArgs } from '../../../src/cli/parseDoctorArgs';

describe(parseDoctorArgs, () => {
  it('should read every option, with its value after a space or an =', () => {
    expect(
      parseDoctorArgs([
        '--env-file',
        '.env',
        '--customer-email=a@example.com',
        '--store-key',
        'eu',
        '--scope-sets',
        'sets.json',
        '--timeout',
        '2.5',
        '--json',
        '--embedded',
      ]),
    ).toEqual({
      envFile: '.env',
      customerEmail: 'a@example.com',
      storeKey: 'eu',
      scopeSetsFile: 'sets.json',
      timeoutMs: 2_500,
      json: true,
      embedded: true,
      help: false,
      version: false,
    });
    expect(parseDoctorArgs([])).toEqual({ json: false, embedded: false, help: false, version: false });
    expect(parseDoctorArgs(['-h', '-v'])).toMatchObject({ help: true, version: true });
  });

  it('should refuse a password flag, with the reason, in either form', () => {
    for (const argv of [['--customer-password', 'x'], ['--password=x']]) {
      expect(parseDoctorArgs(argv)).toMatch(
        /^--(customer-)?password is refused: a password on the command line ends up in shell history/,
      );
    }
  });

  it('should name an unknown option and the one it probably meant', () => {
    expect(parseDoctorArgs(['--env', 'x'])).toBe("Unknown option '--env' (did you mean --env-file?)");
    expect(parseDoctorArgs(['--jsno'])).toBe("Unknown option '--jsno' (did you mean --json?)");
    expect(parseDoctorArgs(['--frobnicate'])).toBe("Unknown option '--frobnicate'");
  });

  it('should refuse a missing value, and an option taken for a value', () => {
    expect(parseDoctorArgs(['--env-file'])).toBe("Option '--env-file <value>' argument missing");
    expect(parseDoctorArgs(['--env-file', '--json'])).toMatch(
      /^Option '--env-file' argument is ambiguous\. Did you forget to specify the option argument for '--env-file'\?/,
    );
  });

  it('should refuse a stray word and a flag given a value', () => {
    expect(parseDoctorArgs(['check'])).toMatch(/^Unexpected argument 'check'/);
    expect(parseDoctorArgs(['--json=yes'])).toBe("Option '--json' does not take an argument");
  });

  it('should refuse a --timeout that is not 0 to 600 seconds', () => {
    for (const value of ['soon', '0', '601', '', ' ', 'Infinity'])
      expect(parseDoctorArgs(['--timeout', value])).toBe('--timeout needs a number of seconds from 0 to 600');
    expect(parseDoctorArgs(['--timeout=-1'])).toBe('--timeout needs a number of seconds from 0 to 600');
    expect(parseDoctorArgs(['--timeout', '600'])).toMatchObject({ timeoutMs: 600_000 });
  });
});

describe('DOCTOR_USAGE', () => {
  it('should describe --embedded as what it is: any install with the optional mock, not the repository only', () => {
    expect(DOCTOR_USAGE).not.toContain('repository only');
    expect(DOCTOR_USAGE).toMatch(
      /--embedded {13}check against an embedded commercetools started for the run[^]*@labdigital\/commercetools-mock/,
    );
  });

  it('should list every option parseDoctorArgs accepts', () => {
    for (const flag of [
      '--env-file',
      '--customer-email',
      '--store-key',
      '--scope-sets',
      '--embedded',
      '--timeout',
      '--json',
      '--version',
      '--help',
    ]) {
      expect(DOCTOR_USAGE).toContain(`  ${flag}`);
      expect(
        typeof parseDoctorArgs([
          flag,
          ...(['--json', '--embedded', '--version', '--help'].includes(flag) ? [] : ['1']),
        ]),
      ).toBe('object');
    }
  });
});
