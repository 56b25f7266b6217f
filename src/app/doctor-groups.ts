/** `doctor --only` groups: apart from doctor.ts so `--help` need not load the clients doctor uses. */
export const DOCTOR_GROUPS = ['db', 'redis', 'kube', 'github', 'slack'] as const;
export type DoctorGroup = (typeof DOCTOR_GROUPS)[number];

/** Which `doctor --only` group a check belongs to (the bot's and the app's databases are both `db`). */
export function doctorGroup(name: string): DoctorGroup {
  if (name === 'slack' || name === 'github') return name;
  if (name.includes('redis')) return 'redis';
  if (name === 'kubernetes access' || name === 'gitops' || name.startsWith('deployment ')) return 'kube';
  return 'db';
}
