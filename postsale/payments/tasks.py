from django.tasks import task

from postsale.payments.refunds import refund_process


@task
def process_refund(refund_id: int) -> str | None:
    return refund_process(refund_id=refund_id)
