from django.core.management.base import BaseCommand

from yingji.orgs.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo bank and its demo users; safe to run again (adds only what is missing)."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            "demo bank: {units} units, {people} people, {roster} roster days added".format(**created)
        )
        # Complaints go through the services, which need the bank above; tests load the bank alone.
        from django.conf import settings
        from django.utils import translation

        from yingji.complaints.demo import load_demo_complaints

        # What the demo's staff "wrote" (records, deadline rules) is in the bank's language, as in the pages.
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(f"demo complaints: {load_demo_complaints()} added")
            # Drills run on the plan library and the shipped templates, which `make run` loads first.
            from yingji.drills.demo import load_demo_drills

            self.stdout.write(f"demo drills: {load_demo_drills()} added")
            # An inspection of 和谐路营业部 with a failed item and its rectification (the security year).
            from yingji.security.demo import load_demo_inspections

            self.stdout.write(f"demo inspections: {load_demo_inspections()['inspections']} added")
            # 江南分行's annual security work plan: approved, part done, one task late, one overdue.
            from yingji.yearplan.demo import load_demo_yearplan

            self.stdout.write(f"demo annual plans: {load_demo_yearplan()['plans']} added")
            # This year's training sessions at 江南分行's units, with their attendance (yingji/training).
            from yingji.training.demo import load_demo_training

            self.stdout.write(f"demo training sessions: {load_demo_training()['sessions']} added")
            # This year's responsibility letters of 江南分行's subtree, most signed, some missing, one scan.
            from yingji.letters.demo import load_demo_letters

            self.stdout.write(f"demo letters: {load_demo_letters()['letters']} added")
            # Most of 江南分行 ready for its plans, 和谐路营业部 below 100 % (yingji/readiness).
            from yingji.readiness.demo import load_demo_readiness

            done = load_demo_readiness()
            self.stdout.write(f"demo readiness: {done['acknowledgements']} cards, {done['quizzes']} quizzes")
            # Last, as it reads what the others made: a draft 2026 summary of 江南分行 (yingji/assessment).
            from yingji.assessment.demo import load_demo_summary

            self.stdout.write(f"demo year's summaries: {load_demo_summary()['summaries']} added")
